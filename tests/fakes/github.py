"""A loopback GitHub REST API for issue comments, with Link-header pagination."""

from __future__ import annotations

import re

from fakes.http import FakeServer, Request, Response

TOKEN = "ghs_faketoken_abcdefghijklmnopqrstuvwxyz"


class FakeGitHub(FakeServer):
    def __init__(self, page_size: int = 30):
        super().__init__()
        self.comments: dict[int, list[dict]] = {}
        self.page_size = page_size
        self.read_only = False
        self.next_id = 1000

    def add_comment(self, pr: int, body: str, user: str = "someone") -> dict:
        self.next_id += 1
        comment = {"id": self.next_id, "body": body, "user": {"login": user}}
        self.comments.setdefault(pr, []).append(comment)
        return comment

    def handle(self, request: Request) -> Response:
        if request.headers.get("authorization") != f"Bearer {TOKEN}":
            return Response(401, {"message": "Bad credentials"})
        m = re.fullmatch(r"/repos/([\w.-]+)/([\w.-]+)/issues/(\d+)/comments", request.path)
        if m and request.method == "GET":
            comments = self.comments.get(int(m.group(3)), [])
            page = int(request.query.get("page", ["1"])[0])
            size = min(self.page_size, int(request.query.get("per_page", ["30"])[0]))
            chunk = comments[(page - 1) * size: page * size]
            headers = {}
            if page * size < len(comments):
                headers["Link"] = f'<{self.url}{request.path}?per_page={size}&page={page + 1}>; rel="next"'
            return Response(200, chunk, headers)
        if self.read_only:
            return Response(403, {"message": "Resource not accessible by integration"})
        if m and request.method == "POST":
            return Response(201, self.add_comment(int(m.group(3)), request.json()["body"], "github-actions[bot]"))
        m = re.fullmatch(r"/repos/([\w.-]+)/([\w.-]+)/issues/comments/(\d+)", request.path)
        if m and request.method == "PATCH":
            for comments in self.comments.values():
                for comment in comments:
                    if comment["id"] == int(m.group(3)):
                        comment["body"] = request.json()["body"]
                        return Response(200, comment)
            return Response(404, {"message": "Not Found"})
        return Response(404, {"message": "Not Found"})
