import pytest

from learnloop.cmi5.course_structure import parse_course_structure
from learnloop.cmi5.errors import InvalidCoursePackage
from tests.cmi5.course_files import LEGACY_NS, NS, Au, Block, course_xml

AU_URL = "https://aus.example.test/au1/index.html"


def test_values_are_stripped_of_surrounding_whitespace() -> None:
    parsed = parse_course_structure(course_xml([Au("https://example.test/aus/1", AU_URL)]))
    assert parsed.publisher_id == "https://example.test/courses/c1"
    assert parsed.title == {"en-US": "Course"}
    au = parsed.aus()[0]
    assert au.url == AU_URL
    assert au.move_on == "CompletedOrPassed"


def test_au_defaults_follow_the_xsd() -> None:
    xml = course_xml([Au("https://example.test/aus/1", AU_URL)]).replace(
        b' moveOn="CompletedOrPassed"', b""
    )
    au = parse_course_structure(xml).aus()[0]
    assert (au.move_on, au.launch_method, au.mastery_score) == ("NotApplicable", "AnyWindow", None)


def test_blocks_nest_and_keep_their_order() -> None:
    parsed = parse_course_structure(
        course_xml(
            [
                Block(
                    "https://example.test/blocks/b1",
                    [
                        Au("https://example.test/aus/1", AU_URL),
                        Block(
                            "https://example.test/blocks/b2",
                            [Au("https://example.test/aus/2", AU_URL)],
                        ),
                    ],
                ),
                Au("https://example.test/aus/3", AU_URL),
            ]
        )
    )
    assert [a.publisher_id for a in parsed.aus()] == [
        "https://example.test/aus/1",
        "https://example.test/aus/2",
        "https://example.test/aus/3",
    ]


@pytest.mark.parametrize(
    ("xml", "rule"),
    [
        (b"<courseStructure", "not well-formed"),
        (
            course_xml([Au("https://example.test/aus/1", AU_URL)]).replace(
                b"</title><description>", b"</title><summary/><description>", 1
            ),
            "CourseStructure XSD",
        ),
        (
            course_xml([Au("https://example.test/aus/1", AU_URL, move_on="Sometimes")]),
            "CourseStructure XSD",
        ),
        (
            course_xml([Au("https://example.test/aus/1", AU_URL, mastery_score="1.5")]),
            "CourseStructure XSD",
        ),
        (course_xml([Au("aus-1", AU_URL)]), "absolute IRI"),
        (
            course_xml(
                [Au("https://example.test/aus/1", AU_URL), Au("https://example.test/aus/1", AU_URL)]
            ),
            "unique",
        ),
        (
            course_xml([Au("https://example.test/courses/c1", AU_URL)]),
            "unique",
        ),
        (course_xml([Au("https://example.test/aus/1", "index.html")]), "fully qualified"),
        (course_xml([Au("https://example.test/aus/1", "ftp://x.test/a")]), "http(s)"),
        (
            course_xml([Au("https://example.test/aus/1", AU_URL + "?registration=1")]),
            "launch parameter",
        ),
        (
            course_xml([Au("https://example.test/aus/1", AU_URL + "?a=1&amp;activityId=x")]),
            "activityId",
        ),
        (
            course_xml(
                [
                    Au(
                        "https://example.test/aus/1",
                        AU_URL,
                        objectives=["https://example.test/o/none"],
                    )
                ]
            ),
            "does not declare",
        ),
    ],
)
def test_a_broken_rule_is_refused_naming_it(xml: bytes, rule: str) -> None:
    with pytest.raises(InvalidCoursePackage) as raised:
        parse_course_structure(xml)
    assert rule in raised.value.message


def test_objectives_are_declared_once_and_referenced() -> None:
    objective = "https://example.test/objectives/o1"
    parsed = parse_course_structure(
        course_xml(
            [Au("https://example.test/aus/1", AU_URL, objectives=[objective])],
            objectives=[objective],
        )
    )
    assert [o.publisher_id for o in parsed.objectives] == [objective]
    assert parsed.aus()[0].objectives == [objective]


def test_a_doctype_is_refused() -> None:
    xml = course_xml([Au("https://example.test/aus/1", AU_URL)]).replace(
        b"<courseStructure", b'<!DOCTYPE x [<!ENTITY e "boom">]><courseStructure', 1
    )
    with pytest.raises(InvalidCoursePackage, match="DOCTYPE"):
        parse_course_structure(xml)


def test_relative_urls_must_name_a_file_of_the_package() -> None:
    xml = course_xml([Au("https://example.test/aus/1", "au/index.html")])
    parsed = parse_course_structure(xml, in_zip=True, zip_files=frozenset({"au/index.html"}))
    assert parsed.aus()[0].url_is_relative
    with pytest.raises(InvalidCoursePackage, match="holds no file"):
        parse_course_structure(xml, in_zip=True, zip_files=frozenset({"other.html"}))
    with pytest.raises(InvalidCoursePackage, match="not a file in the package"):
        parse_course_structure(
            course_xml([Au("https://example.test/aus/1", "../index.html")]),
            in_zip=True,
            zip_files=frozenset({"index.html"}),
        )


def test_the_v1_namespace_of_the_spec_and_the_draft_namespace_are_both_read() -> None:
    """cmi5 13.2: https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd; packages
    built for the pre-1.0 draft namespace keep importing."""
    children = [Block("https://example.test/blocks/b1", [Au("https://example.test/aus/1", AU_URL)])]
    for namespace in (NS, LEGACY_NS):
        parsed = parse_course_structure(course_xml(children, namespace=namespace))
        assert parsed.title == {"en-US": "Course"}
        [au] = parsed.aus()
        assert (au.publisher_id, au.url) == ("https://example.test/aus/1", AU_URL)


def test_another_namespace_is_refused_naming_the_spec_one() -> None:
    xml = course_xml([Au("https://example.test/aus/1", AU_URL)], namespace="urn:other")
    with pytest.raises(InvalidCoursePackage) as refused:
        parse_course_structure(xml)
    assert NS in refused.value.message
    assert refused.value.rule == "13.2"


def test_elements_of_the_other_namespace_are_extensions_not_aus() -> None:
    """An element in the draft namespace inside a v1 structure is a foreign extension
    element (the XSD's anyElement, ##other), never read as an AU."""
    xml = course_xml([Au("https://example.test/aus/1", AU_URL)]).replace(
        b"</courseStructure>",
        f'<x:au xmlns:x="{LEGACY_NS}" id="https://example.test/aus/x"/></courseStructure>'.encode(),
    )
    assert [au.publisher_id for au in parse_course_structure(xml).aus()] == [
        "https://example.test/aus/1"
    ]
