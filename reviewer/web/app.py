"""`reviewer serve`: one page to paste or upload a table and review it, plus a JSON API.

GET  /             the page (Chinese UI; template + one JS + one CSS, no CDN)
POST /api/review   text or a file → the findings contract + indicator trees + review_id
POST /api/export   review_id + the reviewer's edits → xlsx | docx | Markdown file
GET  /api/info     version, whether a model drafts the comments, the upload limit
GET  /openapi.json the schema of the above (FastAPI)
"""

# No `from __future__ import annotations` here: FastAPI reads the endpoints'
# annotations at runtime, and fastapi is imported inside create_app.
import ipaddress
import logging
import re
import sys
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import TYPE_CHECKING, Annotated

from reviewer.config import Config
from reviewer.errors import InputError, ReviewerError
from reviewer.web.limits import FORM_FIELD_LIMIT, BodyLimitMiddleware, SecurityHeadersMiddleware

if TYPE_CHECKING:
    from fastapi import FastAPI

HERE = Path(__file__).parent
DEFAULT_UPLOAD_MB = 10.0
PASTE_NAME = "粘贴的文本"
log = logging.getLogger("reviewer.web")


def create_app(config: Config | None = None, *, max_upload_mb: float = DEFAULT_UPLOAD_MB) -> "FastAPI":
    from fastapi import FastAPI, File, Form, HTTPException, Request, UploadFile
    from fastapi.responses import HTMLResponse, JSONResponse, Response
    from fastapi.staticfiles import StaticFiles
    from fastapi.templating import Jinja2Templates
    from starlette.exceptions import HTTPException as StarletteHTTPException

    from reviewer.drafting.settings import model_name as configured_model
    from reviewer.extract.readers import SUFFIXES
    from reviewer.report import CATEGORY_LABELS, KIND_LABELS, SEVERITY_LABELS
    from reviewer.web.export import render_export
    from reviewer.web.schemas import ErrorResponse, ExportRequest, ReviewResponse
    from reviewer.web.store import ReviewStore
    from reviewer.web.views import review_payload

    config = config or Config()
    limit_bytes = int(max_upload_mb * 1024 * 1024)
    model_name = configured_model(config)
    version = package_version()
    store = ReviewStore()
    suffixes = sorted(SUFFIXES)
    templates = Jinja2Templates(directory=str(HERE / "templates"))

    app = FastAPI(
        title="绩效目标表审核 reviewer",
        version=version,
        description="粘贴或上传绩效目标表，得到问题清单、审核意见和结论；返回的 JSON 即 findings 契约。",
    )
    app.add_middleware(BodyLimitMiddleware, limit_bytes=limit_bytes)
    app.add_middleware(SecurityHeadersMiddleware)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")

    errors = {400: {"model": ErrorResponse}, 413: {"model": ErrorResponse}, 422: {"model": ErrorResponse}}

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = exc.detail
        if exc.status_code == 400 and isinstance(detail, str) and "exceeded maximum size" in detail:
            # Starlette's own limit on one form field (the pasted text).
            return JSONResponse(
                {"detail": f"粘贴的文本超过 {FORM_FIELD_LIMIT // 1024 // 1024} MB，请保存为文件后上传。"},
                status_code=413,
            )
        return JSONResponse({"detail": detail}, status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(ReviewerError)
    async def reviewer_error(request: Request, exc: ReviewerError) -> JSONResponse:
        from reviewer.drafting.secrets import scrub

        status = 422 if isinstance(exc, InputError) else 500
        return JSONResponse({"detail": scrub(str(exc))}, status_code=status)

    @app.exception_handler(Exception)
    async def unexpected_error(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error on %s", request.url.path)
        return JSONResponse({"detail": "服务器内部错误，请查看服务端日志。"}, status_code=500)

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def page(request: Request) -> HTMLResponse:
        return templates.TemplateResponse(
            request,
            "index.html",
            {
                "version": version,
                "model_name": model_name,
                "max_upload_bytes": limit_bytes,
                "max_upload_mb": f"{max_upload_mb:g}",
                "field_limit_bytes": FORM_FIELD_LIMIT,
                "accept": ",".join(suffixes),
                "labels": {"category": CATEGORY_LABELS, "severity": SEVERITY_LABELS, "kind": KIND_LABELS},
            },
        )

    @app.get("/api/info", summary="服务信息")
    def info() -> dict:
        return {
            "version": version,
            "model": model_name,
            "drafting": "llm" if model_name else "template",
            "max_upload_bytes": limit_bytes,
            "formats": suffixes,
        }

    @app.post(
        "/api/review",
        response_model=ReviewResponse,
        responses=errors,
        summary="审核一份绩效目标表",
        description="二选一：`text` 为粘贴的表格文本（制表符分隔的单元格），`file` 为上传的文件"
        "（xlsx、docx、html、csv、txt、pdf）。`offline=true` 时不调用模型，只用离线模板起草意见。",
    )
    def review(
        file: Annotated[UploadFile | None, File(description="表格文件")] = None,
        text: Annotated[str | None, Form(description="粘贴的表格文本")] = None,
        offline: Annotated[bool | None, Form(description="只用离线模板起草意见")] = None,
    ) -> JSONResponse:
        from reviewer.pipeline import review_bytes

        has_file = file is not None and bool(file.filename)
        has_text = bool(text and text.strip())
        if has_file and has_text:
            raise HTTPException(400, "粘贴文本和上传文件只能二选一。")
        if has_file:
            name = upload_name(file.filename)
            data = file.file.read()
            if not data:
                raise HTTPException(400, f"上传的文件“{name}”是空的。")
        elif has_text:
            name, data = PASTE_NAME, text.encode("utf-8")
        else:
            raise HTTPException(400, "请粘贴表格文本，或选择要上传的文件。")
        result = review_bytes(data, name, config, offline=True if offline else None)
        if not result.tables:
            raise InputError(f"{name}: 没有找到可审核的表格。")
        # Returned as is (not through response_model) so the contract keys stay exactly
        # as Review.contract() writes them; the model documents the shape.
        return JSONResponse(review_payload(result, store.add(result)))

    @app.post(
        "/api/export",
        responses={**errors, 404: {"model": ErrorResponse},
                   200: {"content": {"application/octet-stream": {}}, "description": "导出的文件"}},
        response_class=Response,
        summary="导出审核结果（含审核人的修改）",
        description="Word 和 Markdown 不含已忽略的意见及只由这些意见提出的问题；Excel 保留全部问题，"
        "在“处理意见”列记为 采纳 / 修改 / 不采纳（`reviewer bulk --decisions` 可读回）。"
        "表的结论按仍提出的问题重新判定。",
    )
    def export(request_body: ExportRequest) -> Response:
        review = store.get(request_body.review_id)
        if review is None:
            raise HTTPException(404, "审核结果已过期（服务已重启或保存的结果过多），请重新审核后再下载。")
        content, media_type = render_export(review, request_body.format, request_body.edits)
        filename = export_filename(review.source, request_body.format)
        return Response(
            content,
            media_type=media_type,
            headers={"Content-Disposition": content_disposition(filename)},
        )

    return app


def serve(
    host: str = "127.0.0.1", port: int = 8000, config: Config | None = None, *,
    max_upload_mb: float = DEFAULT_UPLOAD_MB,
) -> None:
    """Run the page with uvicorn until interrupted. Binds to loopback unless told otherwise."""
    import uvicorn

    if not is_loopback(host):
        print(f"注意：服务监听 {host}，同一网络中的其他人也能打开此页面，页面不设登录。",
              file=sys.stderr)
    uvicorn.run(create_app(config, max_upload_mb=max_upload_mb), host=host, port=port)


def package_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("indicator-reviewer")
    except PackageNotFoundError:
        return "0+unknown"


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def upload_name(filename: str) -> str:
    """The file's own name, without any folder a browser or client sent along."""
    name = PureWindowsPath(PurePosixPath(filename).name).name.strip()
    return name or "上传的文件"


def export_filename(source: str, fmt: str) -> str:
    stem = Path(source).stem if source and source != PASTE_NAME else "粘贴的表格"
    stem = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', "_", stem)[:80] or "审核结果"
    return f"审核意见-{stem}.{fmt}"


def content_disposition(filename: str) -> str:
    from urllib.parse import quote

    ascii_name = filename if filename.isascii() else "review" + Path(filename).suffix
    ascii_name = ascii_name.replace('"', "_").replace("\\", "_")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
