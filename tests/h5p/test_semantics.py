"""Params filtered against semantics.json the way H5P core's H5PContentValidator does."""

from __future__ import annotations

import pytest

from learnloop.h5p.errors import InvalidParameters
from learnloop.h5p.html_filter import allowed_tags, escape_plain_text, filter_html, style_patterns
from learnloop.h5p.models import H5PContent
from learnloop.h5p.semantics import filter_params
from tests.h5p.conftest import MULTICHOICE_PARAMS

SEMANTICS = [
    {"name": "title", "type": "text"},
    {
        "name": "body",
        "type": "text",
        "widget": "html",
        "tags": ["strong", "em", "a", "ul"],
        "font": {"color": True},
    },
    {"name": "count", "type": "number", "min": 0, "max": 10, "decimals": 1},
    {"name": "flag", "type": "boolean"},
    {"name": "mode", "type": "select", "options": [{"value": "a"}, {"value": "b"}]},
    {
        "name": "items",
        "type": "list",
        "max": 2,
        "field": {"name": "item", "type": "text", "maxLength": 5},
    },
    {
        "name": "settings",
        "type": "group",
        "fields": [{"name": "x", "type": "number"}, {"name": "y", "type": "text"}],
    },
    {"name": "single", "type": "group", "fields": [{"name": "only", "type": "boolean"}]},
    {"name": "image", "type": "image"},
    {"name": "sub", "type": "library", "options": ["H5P.Text 1.0"]},
    {"name": "code", "type": "text", "regexp": {"pattern": "^[a-z]+$", "modifiers": ""}},
    {"name": "maybe", "type": "number", "optional": True},
]
TEXT_SEMANTICS = [{"name": "text", "type": "text", "widget": "html", "tags": ["p"]}]


def lookup(name: str):
    return TEXT_SEMANTICS if name == "H5P.Text 1.0" else None


def run(params, strict=False):
    return filter_params(params, SEMANTICS, lookup, strict=strict)


def test_unknown_fields_are_dropped_and_known_ones_kept():
    result = run({"title": "Hi", "evil": {"script": 1}, "flag": True})
    assert result.params == {"title": "Hi", "flag": True}


def test_plain_text_is_escaped_without_double_encoding():
    assert run({"title": "<b>x</b> & y &amp; 'z'"}).params["title"] == (
        "&lt;b&gt;x&lt;/b&gt; &amp; y &amp; &#039;z&#039;"
    )


def test_html_keeps_only_allowed_tags_and_safe_attributes():
    body = (
        '<p onclick="x()">Hi <strong>there</strong><script>alert(1)</script>'
        '<img src=x onerror=alert(2)><a href="javascript:alert(3)">link</a>'
        '<a href="https://example.org" target="_blank">ok</a>'
        '<em style="color: #ff0000; position: fixed">red</em><iframe src="//x"></iframe></p>'
    )
    filtered = run({"body": body}).params["body"]
    assert filtered == (
        "<p>Hi <strong>there</strong><a>link</a>"
        '<a href="https://example.org" target="_blank">ok</a>'
        '<em style="color: #ff0000;">red</em></p>'
    )


def test_html_filtering_is_idempotent():
    once = filter_html(
        "<p>a &amp; b & c <br/> &nbsp;</p><ul><li>x</li></ul>",
        allowed_tags(["ul"]),
        style_patterns(None),
    )
    assert filter_html(once, allowed_tags(["ul"]), style_patterns(None)) == once
    assert escape_plain_text(escape_plain_text("a & 'b' <c>")) == escape_plain_text("a & 'b' <c>")


def test_numbers_are_clamped_and_rounded():
    assert run({"count": 42}).params["count"] == 10
    assert run({"count": -1}).params["count"] == 0
    assert run({"count": "3.14159"}).params["count"] == 3.1


def test_lists_are_filtered_and_cut_to_their_maximum():
    assert run({"items": ["one", "toolong", 3, "two", "three"]}).params["items"] == ["one", "toolo"]


def test_single_field_groups_hold_the_value_directly():
    assert run({"single": True, "settings": {"x": 1, "y": "z", "w": 2}}).params == {
        "single": True,
        "settings": {"x": 1, "y": "z"},
    }


def test_files_must_stay_inside_the_content_folder():
    assert run(
        {"image": {"path": "images/a.png#tmp", "mime": "image/png", "width": 5, "evil": 1}}
    ).params == {"image": {"path": "images/a.png", "mime": "image/png", "width": 5}}
    for path in ("../../etc/passwd", "/etc/passwd", "javascript:alert(1)", "images\\a.png"):
        assert "image" not in run({"image": {"path": path}}).params
    assert (
        run({"image": {"path": "https://example.org/a.png"}}).params["image"]["path"]
        == "https://example.org/a.png"
    )


def test_sub_content_is_filtered_with_its_own_semantics():
    result = run(
        {
            "sub": {
                "library": "H5P.Text 1.0",
                "params": {"text": "<p>x</p><script>y</script>", "other": 1},
                "subContentId": "0c2b3c4d-1111-2222-3333-444455556666",
                "metadata": {"title": "<b>t</b>"},
                "extra": True,
            }
        }
    )
    assert result.params["sub"] == {
        "library": "H5P.Text 1.0",
        "params": {"text": "<p>x</p>"},
        "subContentId": "0c2b3c4d-1111-2222-3333-444455556666",
        "metadata": {"title": "&lt;b&gt;t&lt;/b&gt;"},
    }
    assert result.used_libraries == {"H5P.Text 1.0"}
    assert "sub" not in run({"sub": {"library": "H5P.Evil 1.0", "params": {}}}).params


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"flag": "yes"}, "flag"),
        ({"mode": "c"}, "mode"),
        ({"count": "many"}, "count"),
        ({"items": "not a list"}, "items"),
        ({"settings": {"x": "NaN?"}}, "settings.x"),
        ({"items": ["a", 5]}, "items[1]"),
        ({"sub": {"library": "H5P.Evil 1.0"}}, "sub"),
        ({"code": "ABC"}, "code"),
        ({"title": 5}, "title"),
    ],
)
def test_strict_mode_names_the_field_that_does_not_fit(params, field):
    with pytest.raises(InvalidParameters) as caught:
        run(params, strict=True)
    assert f"at {field}:" in caught.value.message


def test_api_stores_filtered_params_so_no_script_survives(client, teacher, multichoice, session):
    params = {
        **MULTICHOICE_PARAMS,
        "question": '<p onmouseover="steal()">Q<script>document.cookie</script><img src=x onerror=alert(1)></p>',
        "UI": {"checkAnswerButton": "<script>alert(1)</script>"},
        "notInSemantics": "<script>alert(1)</script>",
    }
    response = client.post(
        "/h5p/content",
        headers=teacher.headers,
        json={"library": "H5P.MultiChoice 1.14", "params": params},
    )
    assert response.status_code == 201, response.text
    stored = session.get(H5PContent, response.json()["data"]["contentId"]).params
    assert stored["question"] == "<p>Q</p>"
    assert stored["UI"]["checkAnswerButton"] == "&lt;script&gt;alert(1)&lt;/script&gt;"
    assert "notInSemantics" not in stored
    assert "<script" not in str(stored)


def test_api_rejects_params_that_do_not_fit_and_says_which_field(client, teacher, multichoice):
    params = {**MULTICHOICE_PARAMS, "answers": [{"text": "a", "correct": "yes"}]}
    response = client.post(
        "/h5p/content",
        headers=teacher.headers,
        json={"library": "H5P.MultiChoice 1.14", "params": params},
    )
    assert response.status_code == 422
    assert "answers[0].correct" in response.json()["error"]
    assert response.json()["details"] == {
        "field": "answers[0].correct",
        "reason": "must be true or false",
    }


def test_empty_optional_fields_are_dropped_even_in_strict_mode():
    assert run({"maybe": None, "flag": False}, strict=True).params == {"flag": False}
    with pytest.raises(InvalidParameters):
        run({"count": None}, strict=True)


GOTO_SEMANTICS = [
    {
        "name": "goto",
        "type": "group",
        "fields": [
            {
                "name": "type",
                "type": "select",
                "optional": True,
                "options": [{"value": "timecode"}, {"value": "url"}],
            },
            {"name": "time", "type": "number", "optional": True},
        ],
    },
    {"name": "required", "type": "select", "options": [{"value": "a"}]},
    {
        "name": "grouped",
        "type": "select",
        "options": [{"type": "optgroup", "label": "G", "options": [{"value": "x"}]}],
    },
]


def test_an_optional_select_keeps_an_empty_value_as_core_validate_select_does():
    # InteractiveVideo and CoursePresentation store interactions[].goto.type = "".
    params = {"goto": {"type": "", "time": 0}, "required": "a"}
    assert filter_params(params, GOTO_SEMANTICS, lambda _name: None, strict=True).params == params


def test_a_required_select_still_refuses_an_empty_value():
    with pytest.raises(InvalidParameters) as caught:
        filter_params({"required": ""}, GOTO_SEMANTICS, lambda _name: None, strict=True)
    assert caught.value.status_code == 422
    assert caught.value.details == {"field": "required", "reason": "'' is not one of the options"}


def test_optgroup_options_count_and_unhashable_values_are_refused_not_crashing():
    kept = filter_params({"grouped": "x"}, GOTO_SEMANTICS, lambda _name: None, strict=True)
    assert kept.params == {"grouped": "x"}
    for value in ({"a": 1}, ["a"]):
        with pytest.raises(InvalidParameters):
            filter_params({"required": value}, GOTO_SEMANTICS, lambda _name: None, strict=True)


def test_tmp_paths_are_reported_apart_from_the_other_files():
    semantics = [{"name": "image", "type": "image"}, {"name": "other", "type": "image"}]
    params = {"image": {"path": "images/a.png#tmp"}, "other": {"path": "images/b.png"}}
    result = filter_params(params, semantics, lambda _name: None, strict=True)
    assert result.params == {"image": {"path": "images/a.png"}, "other": {"path": "images/b.png"}}
    assert result.temp_files == {"images/a.png"}
    assert result.used_files == {"images/a.png", "images/b.png"}
