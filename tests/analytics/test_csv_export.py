from learnloop.analytics.csv_export import csv_text


def test_csv_neutralises_formulas_and_flattens_lists() -> None:
    text = csv_text(
        ("a", "b", "c"), [{"a": "=SUM(A1)", "b": ["x", "y"], "c": True}, {"a": -3, "b": None}]
    )
    assert text == "a,b,c\r\n'=SUM(A1),x; y,true\r\n-3,,\r\n"
