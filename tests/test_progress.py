import time

from briefing import progress
from briefing.build import BuildReport


def test_a_slow_stage_draws_a_progress_line_and_erases_it(monkeypatch, capsys):
    monkeypatch.setattr(progress, "SHOW_AFTER_SECONDS", 0.05)
    monkeypatch.setattr(progress, "REFRESH_SECONDS", 0.01)
    lines = []
    report = BuildReport(say=lines.append, live=True)
    with report.stage("images", lambda: "2 rendered"):
        report.advance(1, 2)
        time.sleep(0.2)
    drawn = capsys.readouterr().err
    assert "images [" + "#" * (progress.BAR_WIDTH // 2) in drawn and "1/2" in drawn
    assert drawn.endswith("\r\x1b[K")  # erased, so the report line stands alone
    assert lines[0].startswith("images: 2 rendered, ")


def test_no_progress_line_when_not_live(capsys):
    report = BuildReport(say=lambda line: None, live=False)
    with report.stage("images"):
        report.advance(1, 2)
        time.sleep(0.05)
    assert capsys.readouterr().err == ""
