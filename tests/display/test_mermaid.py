import pytest
from markers import needs_wasm

from mlworkflow.display.diagram import MermaidSyntaxError, from_mermaid

SEED = """graph TD;
  A[Problem Definition] --> B[Data Collection and Preparation];
  B --> C[Model Training];
  C --> D[Model Evaluation];
  D --> E[Deployment];
  E --> F[Monitoring and Maintenance];"""


def test_seed_diagram():
    d = from_mermaid(SEED)
    assert d.chart.direction == "TD"
    assert next(iter(d.chart.nodes.values())) == "Problem Definition"
    assert len(d.chart.nodes) == 6 and len(d.chart.edges) == 5
    assert ("D", "E", "") in d.chart.edges
    assert "rankdir=TB" in d.source
    assert 'n0 [label="Problem Definition"]' in d.source  # short generated ids, text in labels


def test_chains_edge_labels_and_semicolons_on_one_line():
    d = from_mermaid("graph LR; a[Start] --> b[Middle] --> c[End]; c -->|not good enough| b")
    assert d.chart.direction == "LR"
    assert d.chart.edges == [("a", "b", ""), ("b", "c", ""), ("c", "b", "not good enough")]
    assert "End --not good enough--> Middle" in d.to_text()


def test_bare_ids_comments_and_quoted_labels():
    d = from_mermaid('flowchart TB\n%% comment\nx --> y\ny["Quoted; label"] --> z')
    assert d.chart.nodes == {"x": "x", "y": "Quoted; label", "z": "z"}


@needs_wasm
def test_learner_text_is_never_spliced_into_dot():
    label = 'a "quote" and \\ backslash <b>bold</b> } digraph { x -> y'
    d = from_mermaid(f'graph LR\n A["{label}"] --> B[<script>alert(1)</script>]')
    assert d.chart.nodes["A"] == label
    svg = d.to_svg(backend="wasm")
    assert svg.count('class="node"') == 2 and svg.count('class="edge"') == 1  # no injected nodes or edges
    assert "<script>" not in svg and "&lt;script&gt;alert(1)&lt;/script&gt;" in svg
    assert "<b>" not in svg and "&lt;b&gt;bold&lt;/b&gt;" in svg
    assert "\\ backslash" in svg  # the backslash is shown, not read as a DOT escape


@pytest.mark.parametrize(
    "text, line, expected",
    [
        ("", 1, "expected 'graph TD' or 'graph LR', found an empty diagram"),
        ("A --> B", 1, "expected 'graph TD' or 'graph LR' first"),
        ("graph XY;\nA-->B", 1, "expected 'graph TD' or 'graph LR' first"),
        ("graph TD;\nA[One] --> B[Two];\nB -> C;", 3, "expected '-->' or the end of the statement, found '-> C'"),
        ("graph TD\nA --> \n", 2, "expected a node after '-->'"),
        ("graph TD\n\nA[] --> B", 3, "node A has an empty label"),
        ("graph TD\nA(Round) --> B", 2, "expected '-->' or the end of the statement, found '(Round)"),
        ("graph TD\nA --- B", 2, "only '-->' arrows are supported"),
    ],
)
def test_malformed_input_names_line_and_expectation(text, line, expected):
    with pytest.raises(MermaidSyntaxError) as err:
        from_mermaid(text)
    assert err.value.line == line
    assert str(err.value).startswith(f"line {line}: ")
    assert expected in str(err.value)
    assert isinstance(err.value, ValueError)
