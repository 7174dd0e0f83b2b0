"""The table `make bench` prints: each larger data set's pages against the small set's."""

from bench.report import _pages


def timed(p50: float, p95: float) -> dict:
    return {"p50_ms": p50, "p95_ms": p95}


def sizes(**pages_by_size) -> dict:
    return {name: {"pages": pages} for name, pages in pages_by_size.items()}


def test_it_compares_every_larger_size_with_small_and_names_each_miss() -> None:
    missed: list[str] = []
    table = _pages(
        sizes(
            small={"dashboard": timed(40, 50), "stock page": timed(30, 40)},
            large={"dashboard": timed(48, 60), "stock page": timed(36, 48)},
            xlarge={"dashboard": timed(56, 80), "stock page": timed(42, 56)},
        ),
        missed,
    )

    assert (
        "| page | small p50 | small p95 | large p50 | large p95 | xlarge p50 | xlarge p95 "
        in (table[3])
    )
    assert (
        "| large/small p50 | large/small p95 | xlarge/small p50 | xlarge/small p95 |" in (table[3])
    )
    assert table[5] == (
        "| dashboard | 40.0 | 50.0 | 48.0 | 60.0 | 56.0 | 80.0 | 1.20 | 1.20 | 1.40 | 1.60 "
        "| **MISSED** |"
    )
    assert table[6].endswith("| 1.20 | 1.20 | 1.40 | 1.40 | met |")
    assert missed == ["dashboard xlarge/small"]


def test_it_gives_no_verdict_without_the_small_set() -> None:
    missed: list[str] = []
    table = _pages(sizes(large={"dashboard": timed(48, 60)}), missed)

    assert table[5] == "| dashboard | 48.0 | 60.0 | n/a |"
    assert missed == []
