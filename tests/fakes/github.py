"""A loopback GitHub REST API for issue comments, with Link-header pagination, and who a token is.

Comments carry real user objects (login, id, type). Like GitHub, `GET /user` answers a personal
token with its user and refuses an Actions/App installation token (403 "Resource not accessible by
integration"); `POST /graphql` `{viewer {login databaseId}}` answers both.
"""

from __future__ import annotations

import re

from fakes.http import FakeServer, Request, Response

TOKEN = "ghs_faketoken_abcdefghijklmnopqrstuvwxyz"  # what GITHUB_TOKEN looks like: the Actions bot
PAT = "ghp_fakepersonaltoken_0123456789abcdef"  # a personal access token of "octocat"
ACTIONS_BOT = {"login": "github-actions[bot]", "id": 41898282, "node_id": "MDM6Qm90NDE4OTgyODI=", "type": "Bot", "site_admin": False}
OCTOCAT = {"login": "octocat", "id": 583231, "node_id": "MDQ6VXNlcjU4MzIzMQ==", "type": "User", "site_admin": False}
MAX_BODY = 65_536  # characters GitHub takes in a comment body; a longer one is a 422
IDENTITIES = {TOKEN: (ACTIONS_BOT, True), PAT: (OCTOCAT, False)}  # token -> (user, is an installation token)


def user(login: str, id: int | None = None, type: str = "User") -> dict:
    return {"login": login, "id": id if id is not None else 10_000 + sum(map(ord, login)), "node_id": f"U_{login}", "type": type, "site_admin": False}


class FakeGitHub(FakeServer):
    def __init__(self, page_size: int = 30):
        super().__init__()
        self.comments: dict[int, list[dict]] = {}
        self.page_size = page_size
        self.read_only = False
        self.graphql_down = False
        self.next_id = 1000

    def add_comment(self, pr: int, body: str, author: dict | str = "someone") -> dict:
        """A comment by `author`: a user object, or a login for a plain user account."""
        self.next_id += 1
        author = user(author) if isinstance(author, str) else dict(author)
        comment = {"id": self.next_id, "node_id": f"IC_{self.next_id}", "body": body, "user": author,
                   "author_association": "MEMBER" if author["type"] == "User" else "NONE",
                   "performed_via_github_app": None}
        self.comments.setdefault(pr, []).append(comment)
        return comment

    def handle(self, request: Request) -> Response:
        auth = request.headers.get("authorization", "")
        token = auth.removeprefix("Bearer ").removeprefix("token ")
        if token not in IDENTITIES:
            return Response(401, {"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest", "status": "401"})
        me, installation = IDENTITIES[token]
        if request.path == "/user" and request.method == "GET":
            if installation:
                return Response(403, {"message": "Resource not accessible by integration",
                                      "documentation_url": "https://docs.github.com/rest/users/users#get-the-authenticated-user", "status": "403"})
            return Response(200, me)
        if request.path == "/graphql" and request.method == "POST":
            if self.graphql_down:
                return Response(502, "<html>Bad gateway</html>", content_type="text/html")
            if "viewer" not in request.json().get("query", ""):
                return Response(200, {"errors": [{"message": "unsupported query"}]})
            return Response(200, {"data": {"viewer": {"login": me["login"], "databaseId": me["id"]}}})
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
        if request.method in ("POST", "PATCH") and len(request.json().get("body") or "") > MAX_BODY:
            return Response(422, {"message": "Validation Failed", "errors": [{"resource": "IssueComment", "code": "unprocessable", "field": "data",
                                  "message": f"Body is too long (maximum is {MAX_BODY} characters)"}],
                                  "documentation_url": "https://docs.github.com/rest/issues/comments#create-an-issue-comment", "status": "422"})
        if m and request.method == "POST":
            return Response(201, self.add_comment(int(m.group(3)), request.json()["body"], me))
        m = re.fullmatch(r"/repos/([\w.-]+)/([\w.-]+)/issues/comments/(\d+)", request.path)
        if m and request.method == "PATCH":
            for comments in self.comments.values():  # write access may edit anyone's comment, as on GitHub
                for comment in comments:
                    if comment["id"] == int(m.group(3)):
                        comment["body"] = request.json()["body"]
                        return Response(200, comment)
            return Response(404, {"message": "Not Found"})
        return Response(404, {"message": "Not Found"})
