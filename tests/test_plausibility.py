"""Plausibility warnings are computed in SQL from the current figures: more than 25 % in a year warns."""

from __future__ import annotations

from kanaalmonitor.build import warehouse as wh
from kanaalmonitor.db import query_published
from kanaalmonitor.deliveries.manifest import discover
from kanaalmonitor.report.run_report import Outcome, summary_markdown
from tests.helpers import staging
from tests.ops_support import RAW_2019, make_raw


def test_changes_of_more_than_a_quarter_warn(tmp_path):
    raw = make_raw(tmp_path, RAW_2019)
    deliveries = discover(raw)
    target = tmp_path / "kanaalmonitor.duckdb"
    wh.publish(wh.build(target, staging(raw)), target)

    got = query_published(target, "select series, year, previous_value, value, change, change_pct "
                                  "from plausibility_warnings order by series, year")
    # From raw/2019/kerncijfers.csv; every other year-on-year change is within 25 % (largest: 14030 calls
    # 2018, (189.857 - 164.862) / 164.862 = +15,2 %; reachability 2016, (91 - 81) / 81 = +12,3 %).
    assert got == [
        ("kcc_emails", 2016, 32347, 20578, -11769, -36.4),  # -11.769 / 32.347 = -36,38 %
        ("phone_calls_14030", 2017, 98185, 164862, 66677, 67.9),  # 66.677 / 98.185 = +67,91 %
        ("public_space_reports", 2018, 57844, 78624, 20780, 35.9),  # 20.780 / 57.844 = +35,92 %
        ("whatsapp_messages", 2016, 1849, 11189, 9340, 505.1),  # 9.340 / 1.849 = +505,14 %
    ]
    summary = summary_markdown(Outcome("published", target, deliveries, None))
    assert "4 waarschuwing(en):" in summary
    assert "| aantal e-mails naar Klantcontactcentrum (inclusief e-formulieren) | 2016 | 32.347 | 20.578 | -36,4 % |" \
        in summary
