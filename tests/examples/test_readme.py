"""The README as a new user meets it: its property-test recipe works when copied (and fails
without min_magnitude, as the README says), its links lead somewhere, `make images` redraws
every picture it shows, and the packaging metadata it relies on is in the form tools accept."""

from __future__ import annotations

import re
import sys

import pytest

from tests.support.paths import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def python_block_after(heading: str) -> str:
    """The first ```python block after ``heading`` in the README."""
    section = README[README.index(heading) :]
    return section.split("```python\n", 1)[1].split("```", 1)[0]


def test_property_test_recipe_runs_as_copied() -> None:
    pytest.importorskip("hypothesis")
    namespace: dict = {}
    exec(python_block_after("### Property tests for your own functions"), namespace)
    namespace["test_softplus"]()
    namespace["test_scaled_softplus"]()


@pytest.mark.filterwarnings("ignore:gradcheck")  # the kink warning that comes with the failure
def test_property_test_recipe_fails_without_min_magnitude() -> None:
    """The README's reason for min_magnitude: at x = 0 the gradient check fails."""
    pytest.importorskip("hypothesis")
    from autograd.gradcheck import GradcheckError

    code = python_block_after("### Property tests for your own functions")
    assert code.count("min_magnitude=0.1") == 2
    namespace: dict = {}
    exec(code.replace("min_magnitude=0.1", "min_magnitude=0.0"), namespace)
    with pytest.raises(GradcheckError):
        namespace["test_softplus"]()


def test_every_local_link_and_picture_exists() -> None:
    targets = re.findall(r"\]\(([^)#\s]+)\)", README)
    local = [t for t in targets if "://" not in t]
    assert local, "no links found: the pattern is wrong"
    missing = [t for t in local if not (ROOT / t).exists()]
    assert not missing
    assert "../shared" not in README  # outside the repository


def test_make_images_redraws_every_picture_the_readme_shows() -> None:
    sys.path.insert(0, str(ROOT / "docs" / "images"))
    try:
        import make_images
    finally:
        sys.path.pop(0)
    shown = set(re.findall(r"\(docs/images/([\w-]+)\.png\)", README))
    assert shown == set(make_images.PICTURES)


def test_pyproject_uses_an_spdx_license_and_lists_the_notebook_tools() -> None:
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert project["project"]["license"] == "MIT"  # a table is deprecated by setuptools
    requires = project["build-system"]["requires"]
    assert any(r.startswith("setuptools>=") and int(r.split(">=")[1]) >= 77 for r in requires)
    test_extra = " ".join(project["project"]["optional-dependencies"]["test"])
    for tool in ("nbclient", "nbformat", "ipykernel"):
        assert tool in test_extra
    assert project["project"]["optional-dependencies"]["oracle"] == ["torch==2.13.0"]
