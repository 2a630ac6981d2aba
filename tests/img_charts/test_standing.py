"""The "where you stand" chart: golden images per score table, same bytes for the same
profile, and the size and text the channels rely on."""

from __future__ import annotations

import io
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from matplotlib.testing.compare import compare_images
from PIL import Image

from img_charts import render_png
from img_strategy import ExamStatus, Profile
from img_strategy.standing import standing

GOLDEN = Path(__file__).parent / "golden"
TODAY = date(2026, 11, 26)
# One profile per band table: a real CK on the general table, a practice estimate on the
# pediatrics table (dashed marker, "estimated").
CASES = {
    "general": Profile(step2_score=228, specialty="internal_medicine"),
    "pediatrics": Profile(step2=ExamStatus.NOT_TAKEN, step2_practice=236, specialty="pediatrics"),
}
# Root-mean-square difference allowed per pixel (0-255): room for a different FreeType
# build, none for a moved band or marker.
TOLERANCE = 3


@pytest.mark.parametrize("table", sorted(CASES))
def test_chart_matches_its_golden_image(table, tmp_path):
    s = standing(CASES[table], TODAY)
    assert s.table == table
    actual = tmp_path / f"{table}.png"
    actual.write_bytes(render_png(s))
    # Regenerate after an intended change: python -m tests.img_charts.test_standing
    assert compare_images(str(GOLDEN / f"{table}.png"), str(actual), tol=TOLERANCE) is None


def test_a_moved_marker_fails_the_golden_comparison(tmp_path):
    moved = tmp_path / "moved.png"
    moved.write_bytes(
        render_png(standing(Profile(step2_score=246, specialty="internal_medicine"), TODAY))
    )
    assert compare_images(str(GOLDEN / "general.png"), str(moved), tol=TOLERANCE) is not None


def test_phone_sized_png():
    image = Image.open(io.BytesIO(render_png(standing(CASES["general"], TODAY))))
    assert image.format == "PNG" and image.size == (800, 400)


def test_same_profile_same_bytes_across_processes():
    code = (
        "import sys, hashlib; from datetime import date; from img_charts import render_png;"
        "from img_strategy import Profile; from img_strategy.standing import standing;"
        "p = Profile(step2_score=228, specialty='pediatrics');"
        "sys.stdout.write(hashlib.sha256(render_png(standing(p, date(2026, 11, 26)))).hexdigest())"
    )
    digests = {
        subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            env={"PYTHONHASHSEED": seed, "PATH": "/usr/bin:/bin"},
        ).stdout
        for seed in ("1", "2")
    }
    assert len(digests) == 1


def regenerate() -> None:
    for table, profile in CASES.items():
        (GOLDEN / f"{table}.png").write_bytes(render_png(standing(profile, TODAY)))


if __name__ == "__main__":
    regenerate()
