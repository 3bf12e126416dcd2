"""The status-page tests' shared config (with a hostile title) and a small HTML reader."""

from html.parser import HTMLParser

HOSTILE = 'Ops <img src="http://203.0.113.9/t.png" onerror="alert(1)"> & "co"'
CONFIG = f"""
grids:
  - name: one
    title: '{HOSTILE}'
    rows:
      - {{label: Dur, query: 'avg:ci.p90{{*}}', score: {{good: 3, bad: 10}}, unit: min}}
      - {{label: '<b>Tests</b>', query: 'avg:a{{*}}'}}
      - {{label: Reverts, query: 'avg:r{{*}}'}}
  - name: two
    title: Release health
    palette: cividis
    rows: [{{label: B, query: 'avg:b{{*}}'}}, {{label: C, query: 'avg:c{{*}}'}}]
"""


class Page(HTMLParser):
    """Tags with their attributes, and the text a reader (or screen reader) gets."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self._hidden = 0  # inside <script> or <style>: not text anyone reads
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._hidden += tag in ("script", "style")

    def handle_endtag(self, tag):
        self._hidden -= tag in ("script", "style")

    def handle_data(self, data):
        if not self._hidden:
            self.text.append(data)

    def all(self, tag):
        return [a for t, a in self.tags if t == tag]

    @property
    def words(self) -> str:
        return " ".join("".join(self.text).split())
