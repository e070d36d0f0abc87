"""The `serve` command: the web page (SPEC §8) for staff and contractors."""

from __future__ import annotations

from typing import Annotated

import typer

from hino_forms.cli.app import app, console


@app.command()
def serve(
    host: Annotated[
        str, typer.Option("--host", help="待ち受けるアドレス（庁内で公開するときは 0.0.0.0）")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="ポート番号")] = 8000,
) -> None:
    """ブラウザで使うページを起動します（点検・提出予定・作成・受託者の方へ）。

    \b
    環境変数: HINO_FORMS_WEB_PASSWORD（入室パスワード）、HINO_FORMS_WEB_EXPIRY（保存秒数、既定 3600）、
    HINO_FORMS_UNOSERVER_LOCAL（常駐 LibreOffice の数、既定 2）、HINO_FORMS_UNOSERVERS（他のマシンの host:port,…）
    例: python -m hino_forms serve --port 8000
    """
    import uvicorn  # the web stack loads only for this command

    from hino_forms.web.app import create_app
    from hino_forms.web.settings import Settings

    settings = Settings.from_env()  # a bad setting stops here, with its message
    if host not in ("127.0.0.1", "localhost", "::1") and settings.password is None:
        console.print(
            "注意: ほかのパソコンから使える設定です。共用のマシンでは HINO_FORMS_WEB_PASSWORD で"
            "入室パスワードを設定してください。",
            markup=False,
            highlight=False,
        )
    console.print(
        f"http://{host}:{port}/ で起動します（終了は Ctrl+C。読み込んだブックと作成物は終了時に削除します）",
        markup=False,
        highlight=False,
    )
    # A bounded wait for open pages (an event stream) at Ctrl+C, so the clean-up always runs.
    uvicorn.run(
        create_app(settings), host=host, port=port, log_level="warning", timeout_graceful_shutdown=5
    )
