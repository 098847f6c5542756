"""pib/charts.py: server-rendered SVG charts, CSP-safe, readable without colour, with their numbers."""

import re
import xml.etree.ElementTree as ET

import pytest
from django.template.loader import render_to_string

from pib.charts import MAX_VALUE_LABELS, Series, bar_chart, line_chart

SVG = "{http://www.w3.org/2000/svg}"
POINTS = [("week 1", 12), ("week 2", 0), ("week 3", 40), ("week 4", None)]


def parsed(chart):
    return ET.fromstring(str(chart.svg))  # noqa: S314 - our own markup


@pytest.mark.parametrize("make", [bar_chart, line_chart])
def test_chart_is_csp_safe_svg_without_style_script_or_handlers(make):
    chart = make(
        [Series("a", POINTS), Series("b", [("week 1", 3), ("week 3", 4)])], title="Titel", description="Uitleg"
    )
    markup = str(chart.svg)
    root = parsed(chart)  # well-formed XML
    assert root.tag == f"{SVG}svg"
    assert "style=" not in markup and "<style" not in markup and "<script" not in markup
    assert not re.search(r"\son[a-z]+=", markup), "no event handler attributes"
    assert "href" not in markup and "http://" not in markup.replace('xmlns="http://www.w3.org/2000/svg"', "")


@pytest.mark.parametrize("make", [bar_chart, line_chart])
def test_chart_has_title_description_and_role(make):
    chart = make(POINTS, title="Brieven per week", description="Aantal brieven", chart_id="c1")
    root = parsed(chart)
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "c1-title c1-desc"
    assert root.find(f"{SVG}title").text == "Brieven per week"
    assert root.find(f"{SVG}desc").text == "Aantal brieven"


def test_bar_chart_prints_every_value_as_text_and_draws_a_bar_per_number():
    chart = bar_chart(POINTS, title="t")
    root = parsed(chart)
    values = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "chart-value"]
    assert values == ["12", "0", "40", "–"]
    bars = [r for r in root.iter(f"{SVG}rect") if "chart-bar" in (r.get("class") or "")]
    assert len(bars) == 3  # None draws no bar
    heights = [float(b.get("height")) for b in bars]
    assert heights[2] > heights[0] > heights[1] == 0


def test_numbers_are_also_a_table():
    chart = bar_chart(
        [Series("mislukt", POINTS), Series("wachtend", [("week 1", 1280)])], title="t", label_header="Week"
    )
    assert chart.headers == ["Week", "mislukt", "wachtend"]
    assert chart.rows[0] == ["week 1", "12", "1.280"]
    assert chart.rows[3] == ["week 4", "–", "–"]
    html = render_to_string("partials/chart.html", {"chart": chart})
    assert "<table>" in html and '<th scope="row">week 1</th>' in html and "<td>1.280</td>" in html
    assert "style=" not in html


def test_series_differ_by_pattern_and_legend_not_by_colour_only():
    chart = bar_chart([Series("een", POINTS), Series("twee", POINTS), Series("drie", POINTS)], title="t", chart_id="p")
    markup = str(chart.svg)
    assert 'fill="url(#p-hatch)"' in markup and 'fill="url(#p-dots)"' in markup
    root = parsed(chart)
    legend = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "chart-legend-text"]
    assert legend == ["een", "twee", "drie"]


def test_line_series_differ_by_dash_and_marker_shape():
    chart = line_chart([Series("een", POINTS), Series("twee", POINTS)], title="t")
    root = parsed(chart)
    lines = [p for p in root.iter(f"{SVG}polyline")]
    assert {line.get("stroke-dasharray") for line in lines} == {None, "6 3"}
    assert any(root.iter(f"{SVG}circle"))
    assert any(r.get("class", "").startswith("chart-marker") for r in root.iter(f"{SVG}rect"))


def test_line_breaks_at_a_missing_value():
    chart = line_chart([("a", 1), ("b", 2), ("c", None), ("d", 3), ("e", 4)], title="t")
    assert len(list(parsed(chart).iter(f"{SVG}polyline"))) == 2


def test_texts_are_escaped():
    chart = bar_chart([("<script>alert(1)</script>", 3)], title="<b>x</b> & y", description='"z"')
    markup = str(chart.svg)
    assert "<script>" not in markup and "&lt;script&gt;" in markup
    assert "&lt;b&gt;x&lt;/b&gt; &amp; y" in markup
    parsed(chart)


def test_small_cells_are_neither_drawn_nor_printed():
    chart = bar_chart([("Aa en Hunze", 9), ("Amsterdam", 10), ("Zwolle", 0)], title="t", suppress_below=10)
    root = parsed(chart)
    values = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "chart-value"]
    assert values == ["< 10", "10", "< 10"]
    assert len([r for r in root.iter(f"{SVG}rect") if "chart-bar" in (r.get("class") or "")]) == 1
    assert ">9<" not in str(chart.svg)
    assert [row[1] for row in chart.rows] == ["< 10", "10", "< 10"]


def test_many_bars_keep_values_in_the_table_and_thin_the_axis_labels():
    points = [(f"w{i:02d}", i) for i in range(52)]
    chart = bar_chart(points, title="t")
    root = parsed(chart)
    assert len(points) > MAX_VALUE_LABELS
    assert not [t for t in root.iter(f"{SVG}text") if t.get("class") == "chart-value"]
    labels = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "chart-label"]
    assert 10 <= len(labels) <= 16 and labels[-1] == "w51"
    assert len(chart.rows) == 52
    bars = [b for b in root.iter(f"{SVG}rect") if b.get("class") == "chart-bar chart-series-1"]
    assert bars and all(b.find(f"{SVG}title") is not None for b in bars)


def test_empty_and_all_zero_charts_render():
    for points in ([], [("a", 0), ("b", 0)]):
        for make in (bar_chart, line_chart):
            parsed(make(points, title="leeg"))


def test_same_input_same_markup():
    assert str(bar_chart(POINTS, title="t").svg) == str(bar_chart(POINTS, title="t").svg)


def test_decimal_values_use_a_dutch_comma():
    chart = line_chart([("a", 1.5), ("b", 2.0)], title="t")
    assert chart.rows == [["a", "1,5"], ["b", "2"]]
