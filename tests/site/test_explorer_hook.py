"""overrides/hooks/explorer.py: the ```explorer fence's options, HTML and build errors."""

from __future__ import annotations

import html
import importlib.util
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def hook():
    spec = importlib.util.spec_from_file_location(
        "gd_explorer_hook", ROOT / "overrides" / "hooks" / "explorer.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


GOOD = """
landscape: ill-conditioned
start: [-3.5, 2.5]
steps: 200
optimizers:
  - {optimizer: GradientDescent, lr: 0.018}
  - {optimizer: momentum, lr: 0.018, momentum: 0.9}
  - {optimizer: Adam, lr: 0.1, beta1: 0.8}
"""


def test_render_embeds_data_figure_and_note(hook):
    out = hook.render(GOOD, "race-1")
    assert out.startswith('<div class="gd-explorer" id="race-1" data-explorer="race-1" ')
    # the data is an HTML-escaped attribute (no inline <script>: see the hook's docstring)
    assert "<script" not in out
    m = re.search(r' data-payload="([^"]*)"', out)
    assert m and "<" not in m.group(1)
    data = json.loads(html.unescape(m.group(1)))
    assert data["id"] == "race-1" and data["options"]["steps"] == 200
    assert [r["optimizer"] for r in data["race"]["runs"]] == ["GradientDescent", "Momentum", "Adam"]
    assert data["race"]["runs"][2]["params"]["beta1"] == 0.8
    assert data["grid"]["name"] == "ill-conditioned" and len(data["grid"]["z"]) == 64 * 64
    assert "gd.Adam(lr=0.1, betas=(0.8, 0.999))" in data["code"]
    alt = html.unescape(re.search(r'alt="([^"]*)"', out).group(1))
    assert "ill-conditioned" in alt and "Momentum" in alt
    assert "data:image/png;base64," in out and "loading Python" in out


def test_defaults_fill_in(hook):
    opts = hook.parse_options("")
    assert opts["landscape"] == "rosenbrock" and opts["steps"] == 500
    assert len(opts["start"]) == 2 and opts["optimizers"]


@pytest.mark.parametrize(
    "source, pattern",
    [
        ("landscape: nowhere", "landscape must be one of"),
        ("colour: red", "unknown explorer option"),
        ("steps: 0", "steps must be a whole number"),
        ("steps: 5000", r"steps must be a whole number in \[10, 2000\]"),
        ("steps: 205", "in steps of 10"),
        ("start: [9, 0]", "outside the map"),
        ("optimizers: [{optimizer: Adam, lr: 50}]", "Adam lr must be a number in"),
        ("optimizers: [{optimizer: Adam, eps: 0.1}]", "'eps' has no control"),
        ("optimizers: [{optimizer: Momentum, momentum: 0.995}]", "Momentum momentum must be"),
        ("optimizers: [{optimizer: Adam, schedule: zigzag}]", "schedule must be one of"),
        ("optimizers: [{optimizer: Newton}]", "optimizer must be one of"),
        ("noise: 3", "noise must be a number in"),
        ("seed: 2.5", "seed must be a whole number"),
        ("view: side", "view must be one of"),
        ("phase: yes please", "phase must be true or false"),
        ("landscape: rosenbrock\nphase: true", "only on a quadratic landscape"),
        ("landscape: bowl\nphase: true\noptimizers: [{optimizer: Adam}]", "add {optimizer: Mom"),
        ("start: [1]", "start must be a list"),
        ("optimizers: []", "non-empty list"),
        ("optimizers: [{lr: 0.1}]", "'optimizer' key"),
        ("optimizers: [{optimizer: Adam}, {optimizer: adam, lr: 0.1}]", "appears twice"),
        ("optimizers: [{optimizer: Adam, lr: -1}]", "lr"),
        ("optimizers: [{optimizer: Adam, betas: [0.9]}]", "betas must be"),
        ("- just a list", "must be a mapping"),
        ("a: [", "not valid YAML"),
    ],
)
def test_bad_options_name_the_problem(hook, source, pattern):
    with pytest.raises(ValueError, match=pattern):
        hook.render(source, "x")


def test_bad_block_fails_the_build(mkdocs_project):
    build = mkdocs_project({"index.md": "# T\n\n```explorer\nlandscape: nowhere\n```\n"})
    config = build.docs.parent / "mkdocs.yml"
    text = config.read_text()
    hook = f"{ROOT}/overrides/hooks/explorer.py"
    if hook not in text:
        text = text.replace("hooks:\n", f"hooks:\n  - {hook}\n", 1)
        config.write_text(text)
    result = build()
    assert result.returncode != 0
    assert "index.md" in result.output and "landscape must be one of" in result.output


def test_options_the_live_controls_can_show_are_accepted(hook):
    opts = hook.parse_options(
        "landscape: bowl\nsteps: 120\nnoise: 0.5\nseed: 7\nview: surface\n"
        "optimizers:\n  - {optimizer: Adam, betas: [0.8, 0.99], schedule: cosine}\n"
    )
    assert opts["optimizers"] == [{"optimizer": "Adam", "beta1": 0.8, "beta2": 0.99,
                                   "schedule": "cosine"}]
    out = hook.render("landscape: bowl\nnoise: 0.5\nseed: 7\noptimizers: [{optimizer: Adam}]",
                      "noisy")
    data = json.loads(html.unescape(re.search(r' data-payload="([^"]*)"', out).group(1)))
    assert "gd.NoisyGradient(f, sigma=" in data["code"]


def test_an_explorer_id_that_clashes_fails_the_build(mkdocs_project):
    page = "# Race\n\n```explorer id=\"race\"\nlandscape: bowl\n```\n"
    build = mkdocs_project({"index.md": page})
    result = build()
    assert result.returncode != 0
    assert "explorer id 'race' is also the id of another element" in result.output


def test_phase_embeds_gdcores_rate_map(hook):
    from gdcore import explore

    out = hook.render(GOOD + "phase: true\n", "phase")
    data = json.loads(html.unescape(re.search(r' data-payload="([^"]*)"', out).group(1)))
    assert data["options"]["phase"] is True
    grid, want = data["rate_grid"], explore.momentum_rate_grid("ill-conditioned", 64)
    assert grid["lrs"] == want["lrs"] and grid["optimum"] == want["optimum"]
    assert grid["rates"] == pytest.approx(want["rates"], rel=1e-4)
    # the pre-computed Momentum run carries its rate: both directions decay at sqrt(0.9)
    assert data["race"]["runs"][1]["rate"] == pytest.approx(0.9**0.5, rel=1e-12)
    assert "rate_grid" not in json.loads(html.unescape(
        re.search(r' data-payload="([^"]*)"', hook.render(GOOD, "plain")).group(1)))
