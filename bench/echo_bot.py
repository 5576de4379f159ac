"""The baseline: an echo bot written the way line-bot-sdk's Flask example does it (examples/flask-echo,
app_with_handler.py) — WebhookHandler parses and dispatches inside the request and the reply is sent
synchronously before LINE gets its 200 — pointed at the same emulator as tsunagari.

    python -m bench.echo_bot --port P      (LINE_CHANNEL_SECRET, LINE_CHANNEL_ACCESS_TOKEN, LINE_API_HOST)

Served by waitress with the same thread count as tsunagari's web process, so the comparison is of the designs,
not of the servers.
"""
from __future__ import annotations

import argparse
import os

from flask import Flask, abort, request
from linebot.v3 import WebhookHandler
from linebot.v3.exceptions import InvalidSignatureError
from linebot.v3.messaging import ApiClient, Configuration, MessagingApi, ReplyMessageRequest, TextMessage
from linebot.v3.webhooks import MessageEvent, PostbackEvent, TextMessageContent


def create_echo_app(secret: str, token: str, api_host: str | None) -> Flask:
    """The SDK example's app: /callback verifies, dispatches, and replies within the request."""
    app = Flask("echo")
    configuration = Configuration(access_token=token, host=api_host)
    handler = WebhookHandler(secret)

    @app.route("/callback", methods=["POST"])
    def callback():
        """As in the example: verify and handle in the request."""
        signature = request.headers["X-Line-Signature"]
        body = request.get_data(as_text=True)
        try:
            handler.handle(body, signature)
        except InvalidSignatureError:
            abort(400)
        return "OK"

    @handler.add(MessageEvent, message=TextMessageContent)
    def handle_message(event):
        """Echo the text."""
        with ApiClient(configuration) as api_client:
            MessagingApi(api_client).reply_message_with_http_info(
                ReplyMessageRequest(reply_token=event.reply_token, messages=[TextMessage(text=event.message.text)]))

    @handler.add(PostbackEvent)
    def handle_postback(event):
        """Echo the postback data (the benchmark's load also taps buttons)."""
        with ApiClient(configuration) as api_client:
            MessagingApi(api_client).reply_message_with_http_info(
                ReplyMessageRequest(reply_token=event.reply_token, messages=[TextMessage(text=event.postback.data)]))

    return app


def main() -> None:
    """Serve the echo bot with waitress."""
    from waitress import serve

    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()
    app = create_echo_app(os.environ["LINE_CHANNEL_SECRET"], os.environ["LINE_CHANNEL_ACCESS_TOKEN"],
                          os.environ.get("LINE_API_HOST"))
    serve(app, host="127.0.0.1", port=args.port, threads=args.threads, ident="echo")


if __name__ == "__main__":
    main()
