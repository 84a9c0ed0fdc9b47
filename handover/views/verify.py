"""Upload a PDF and learn whether it is a genuine, unaltered handover."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from clients.access import sprints_for_user
from handover.forms import VerifyForm
from handover.verification import verify_pdf


class _SizeCap(FileUploadHandler):
    """Stop reading an upload as soon as it is bigger than the cap, so an oversized
    file never fills memory or the temporary directory."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.too_large = content_length > settings.HANDOVER_VERIFY_MAX_BYTES + 64 * 1024
        self.seen = 0

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        if self.too_large:
            self._mark_too_large()
            raise StopUpload(connection_reset=False)

    def receive_data_chunk(self, raw_data, start):
        self.seen += len(raw_data)
        if self.seen > settings.HANDOVER_VERIFY_MAX_BYTES:
            self._mark_too_large()
            raise StopUpload(connection_reset=False)
        return raw_data

    def _mark_too_large(self) -> None:
        # Read back by the view with getattr(): a flag on this request only.
        setattr(self.request, "upload_too_large", True)  # noqa: B010

    def file_complete(self, file_size):
        return None


@csrf_exempt
def handover_verify(request: HttpRequest) -> HttpResponse:
    # The size cap has to be in place before CSRF checking reads the body.
    request.upload_handlers.insert(0, _SizeCap(request))
    return _verify(request)


@login_required
@csrf_protect
def _verify(request: HttpRequest) -> HttpResponse:
    context: dict = {"max_mb": settings.HANDOVER_VERIFY_MAX_BYTES // (1024 * 1024)}
    if request.method != "POST":
        return render(request, "handover/verify.html", {**context, "form": VerifyForm()})
    form = VerifyForm(request.POST, request.FILES)
    if getattr(request, "upload_too_large", False):
        form.add_error("file", f"That file is larger than {context['max_mb']} MB.")
    if not form.is_valid():
        return render(request, "handover/verify.html", {**context, "form": form}, status=422)
    upload = form.cleaned_data["file"]
    verdict = verify_pdf(b"".join(upload.chunks()))
    # Name the client only to someone who may see that sprint.
    may_see = (
        verdict.issued is not None
        and sprints_for_user(request.user).filter(pk=verdict.issued.sprint_id).exists()
    )
    return render(
        request,
        "handover/verify.html",
        {
            **context,
            "form": VerifyForm(),
            "verdict": verdict,
            "may_see": may_see,
            "filename": upload.name,
        },
    )
