"""A loopback Imgur: POST /3/image with `Authorization: Client-ID ...`, multipart `image`."""

from __future__ import annotations

import email.parser
import email.policy

from fakes.http import FakeServer, Request, Response

CLIENT_ID = "fake-imgur-client-4f1c"


def multipart_file(request: Request, field: str) -> bytes:
    raw = b"Content-Type: " + request.headers["content-type"].encode() + b"\r\n\r\n" + request.body
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(raw)
    for part in message.iter_parts():
        if part.get_param("name", header="content-disposition") == field:
            return part.get_payload(decode=True)
    raise KeyError(field)


class FakeImgur(FakeServer):
    def __init__(self):
        super().__init__()
        self.uploads: list[bytes] = []

    def handle(self, request: Request) -> Response:
        if request.path != "/3/image" or request.method != "POST":
            return Response(404, {"data": {"error": "Not found"}, "success": False, "status": 404})
        if request.headers.get("authorization") != f"Client-ID {CLIENT_ID}":
            return Response(403, {"data": {"error": "Invalid client_id", "request": "/3/image", "method": "POST"}, "success": False, "status": 403})
        self.uploads.append(multipart_file(request, "image"))
        n = len(self.uploads)
        return Response(200, {"data": {"id": f"img{n}", "link": f"https://i.imgur.com/img{n}.png", "deletehash": f"del{n}"}, "success": True, "status": 200})
