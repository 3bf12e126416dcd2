"""Text the picture's font has no glyphs for (CJK, for one) is drawn as boxes: the run says so,
naming the characters and where they are; the text files carry it as written."""

from healthgrid.render.style import missing_glyphs

NOW = "2026-11-28T12:00:00Z"


def test_characters_without_a_glyph_are_found_once_each_in_order():
    assert missing_glyphs("エラー率 ≤ 5 µs, エラー") == ["エ", "ラ", "ー", "率"]
    assert missing_glyphs("Latency p95 ≤ 300 ms — ÄÖÜ ß é ñ Ω λ 👍") == ["👍"]
    assert missing_glyphs("") == []


def test_a_grid_with_such_text_warns_once_naming_the_characters_and_where(in_tmp, cli):
    (in_tmp / "c.yml").write_text("grids:\n  - {name: g, title: '日本語', rows: [\n"
                                  "      {label: 'エラー率', query: 'avg:a{*}'},\n"
                                  "      {label: 'Latency', query: 'avg:b{*}', unit: 'ms', group: 'Backend'}]}\n")
    result = cli("render", "--demo", "--config", "c.yml", "--now", NOW, "--out", "o", "--format", "png")
    assert result.code == 0, result.err
    warnings = [line for line in result.err.splitlines() if "warning" in line]
    assert warnings == ["healthgrid: warning: g: the picture's font (DejaVu Sans) has no glyph for '日', '本', '語', 'エ', 'ラ', 'ー', '率' "
                        "(title, row 'エラー率'): drawn as boxes in the images; the Markdown, HTML and JSON carry the text as written"]
    assert "エラー率" in (in_tmp / "o" / "g.md").read_text(encoding="utf-8")


def test_text_the_font_draws_gives_no_warning(in_tmp, cli):
    (in_tmp / "c.yml").write_text("grids:\n  - {name: g, title: 'Santé — Überblick', rows: [\n"
                                  "      {label: 'Latenz ≤ 300 µs', query: 'avg:a{*}', unit: 'µs', group: 'Ωmega'}]}\n", encoding="utf-8")
    result = cli("render", "--demo", "--config", "c.yml", "--now", NOW, "--out", "o", "--format", "png")
    assert result.code == 0 and "warning" not in result.err, result.err
