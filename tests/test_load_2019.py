"""The 2019 edition, loaded: observations equal the source table, typed here by hand."""

from __future__ import annotations

from kanaalmonitor.db import connect
from tests.helpers import rows

# Typed from shared/source/deliveries-2019/kerncijfers.csv; None where the table prints '-'.
KERNCIJFERS_2019 = {
    "web_requests": [211105, 223449, 233453, 260704],
    "public_space_reports": [None, None, 57844, 78624],
    "kcc_emails": [32347, 20578, 19287, 18671],
    "phone_calls": [400354, 337029, 334911, 314803],
    "phone_calls_14030": [None, 98185, 164862, 189857],
    "kcc_phone_reachability": [81, 91, 90, 90],
    "counter_visits": [257981, 274268, 291215, 294794],
    "whatsapp_messages": [1849, 11189, 11342, 11523],
}
# Typed from klanttevredenheid.csv (2017, 2018).
GRADES_2019 = {
    "satisfaction_counter": [7.8, 7.8],
    "satisfaction_website": [7.5, 7.6],
    "satisfaction_phone": [8.0, 7.7],
    "satisfaction_email": [None, 5.9],
}


def expected_observations() -> list[tuple]:
    out = []
    for series, values in KERNCIJFERS_2019.items():
        method = "afspraak-2019" if series == "counter_visits" else "standaard"
        for year, v in zip(range(2015, 2019), values):
            out.append(("GM0344", series, year, v, "O" if v is None else "A", method, 2019))
    for series, values in GRADES_2019.items():
        for year, v in zip((2017, 2018), values):
            out.append(("GM0344", series, year, v, "O" if v is None else "A", "standaard", 2019))
    return sorted(out)


def test_observations_hold_the_2019_table_exactly(warehouse_2019):
    con = connect(warehouse_2019, read_only=True)
    got = rows(con, "select municipality, series, year, value, status, method, edition from observations order by all")
    assert got == expected_observations()


def test_published_counts_and_not_available_cells(warehouse_2019):
    con = connect(warehouse_2019, read_only=True)
    published = rows(con, """
        select s.unit, count(*) from observations o join series s using (series)
        where o.value is not null group by s.unit order by s.unit""")
    # 8 rows x 4 years = 32 cells, 3 printed '-': 29 counts and percents; 4 x 2 grades, 1 '-': 7.
    assert published == [("count", 25), ("grade", 7), ("percent", 4)]
    missing = rows(con, "select series, year, status, cell from observation_vintages where value is null order by all")
    assert missing == [
        ("phone_calls_14030", 2015, "O", "-"),
        ("public_space_reports", 2015, "O", "-"),
        ("public_space_reports", 2016, "O", "-"),
        ("satisfaction_email", 2017, "O", "-"),
    ]


def test_vintages_keep_the_cell_text_and_origin(warehouse_2019):
    con = connect(warehouse_2019, read_only=True)
    got = rows(con, """select cell, file, row, label from observation_vintages
                       where series = 'counter_visits' and year = 2015""")
    assert got == [("257.981", "2019/kerncijfers.csv", 8,
                    "aantal baliebezoeken met afspraak bij Stadskantoor en Wijkservicecentrum Vleuten-De Meern*")]


def test_editions_deliveries_notes_and_method_changes(warehouse_2019):
    con = connect(warehouse_2019, read_only=True)
    assert rows(con, "select municipality, edition, source from editions") == [
        ("GM0344", 2019, "gemeente Utrecht, Utrecht Monitor 2019")]
    assert rows(con, "select file, municipality, edition, rows from deliveries order by file") == [
        ("2019/kerncijfers.csv", "GM0344", 2019, 32), ("2019/klanttevredenheid.csv", "GM0344", 2019, 8)]
    assert rows(con, "select series, kind, method, from_year from method_changes") == [
        ("counter_visits", "restate", "afspraak-2019", None)]
    assert rows(con, "select file, row, marker, text from notes order by file, row") == [
        ("2019/kerncijfers.csv", 11, "*", "Op een nieuwe manier gemeten, vervangt voorgaande metingen."),
        ("2019/kerncijfers.csv", 12, None, "Bron: gemeente Utrecht"),
        ("2019/klanttevredenheid.csv", 7, None, "Bron: gemeente Utrecht, doorlopend klanttevredenheidsonderzoek"),
    ]
    assert rows(con, "select count(*) from revisions") == [(0,)]


def test_kerncijfers_prints_the_published_tables(warehouse_2019):
    con = connect(warehouse_2019, read_only=True)
    got = rows(con, 'select table_title, row_number, label_printed, "2015", "2016", "2017", "2018" from kerncijfers '
                    "order by position")
    k, t = "Kerncijfers dienstverlening", "Klanttevredenheid per kanaal (rapportcijfer)"
    assert got == [
        (k, 1, "aantal digitale aanvragen via website Utrecht.nl", "211.105", "223.449", "233.453", "260.704"),
        (k, 2, "waarvan meldingen openbare ruimte", "-", "-", "57.844", "78.624"),
        (k, 3, "aantal e-mails naar Klantcontactcentrum (inclusief e-formulieren)", "32.347", "20.578", "19.287",
         "18.671"),
        (k, 4, "aantal telefoontjes naar gemeente", "400.354", "337.029", "334.911", "314.803"),
        (k, 5, "waarvan via 14030", "-", "98.185", "164.862", "189.857"),
        (k, 6, "telefonische bereikbaarheid Klantcontactcentrum (%)", "81", "91", "90", "90"),
        (k, 7, "aantal baliebezoeken met afspraak bij Stadskantoor en Wijkservicecentrum Vleuten-De Meern*",
         "257.981", "274.268", "291.215", "294.794"),
        (k, 8, "WhatsApp-berichten", "1.849", "11.189", "11.342", "11.523"),
        (t, 1, "balie", None, None, "7,8", "7,8"),
        (t, 2, "website", None, None, "7,5", "7,6"),
        (t, 3, "telefoon", None, None, "8,0", "7,7"),
        (t, 4, "e-mail", None, None, "-", "5,9"),
    ]
    assert rows(con, "select distinct table_edition from kerncijfers") == [(2019,)]


def test_every_public_table_and_column_has_a_comment(warehouse_2019):
    con = connect(warehouse_2019, read_only=True)
    missing = rows(con, """select table_name, column_name from duckdb_columns()
                           where database_name = current_database() and schema_name = 'main'
                             and (comment is null or comment = '')""")
    assert missing == []
    tables = {t for (t,) in rows(con, "select table_name from duckdb_tables() where schema_name = 'main'")}
    assert {"series", "editions", "deliveries", "observation_vintages", "observations", "revisions"} <= tables
