"""Every write goes through a service (CONVENTIONS.md, issue 14): views and forms parse,
call a service and render; they, the admin, Huey tasks and management commands never
write a model themselves. And every public write
service is called with keywords only, so a call site reads like a sentence.

Both are sweeps over the source: a new view module or service is covered the day it is
added."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APPS = ("clients", "checks", "handover", "launchready")

# Calls that write rows whatever they are called on.
ALWAYS = {"bulk_create", "bulk_update", "get_or_create", "update_or_create", "create"}
# Model.save() and Model.delete() / QuerySet.delete(); form.save(commit=False) only
# builds an unsaved instance for a service to save, so it is allowed.
SAVE_DELETE = {"save", "delete"}

# Public functions of */services.py that write but take a positional argument, each with
# its reason. Keep this list short; a new entry needs a reason a reviewer accepts.
POSITIONAL_WRITES = {
    # Claims a job row by model class for the worker, the same shape as the ORM call
    # it wraps (job_claim(Model, pk=...)); the model is not a "thing" being changed.
    ("clients/jobs/services.py", "job_claim"),
    # A lookup that creates the client's one status page on first read (get-or-create
    # of a per-client singleton), called like a selector.
    ("checks/statuspage/services.py", "status_page_for"),
    # The one-click unsubscribe link's token is the only input; the handler is the
    # target of a signed URL, not of a staff action.
    ("handover/reports/services.py", "unsubscribe"),
}


def _modules(pattern: str) -> list[Path]:
    return sorted(
        p for app in APPS for p in (ROOT / app).rglob(pattern) if "migrations" not in p.parts
    )


# Modules that may write rows themselves, each with its reason.
WRITERS = {
    # Demo data for a laptop, written like a fixture (get_or_create so it can run twice);
    # the parts that are real actions (sprint start, founders, findings) use services.
    "clients/management/commands/seed_demo.py",
}


def caller_modules() -> list[Path]:
    """Views, forms, admin, Huey tasks and management commands: the callers of services."""
    found = set(_modules("views*.py")) | set(_modules("forms*.py"))
    found |= set(_modules("admin.py")) | set(_modules("tasks.py"))
    found |= {p for p in _modules("*.py") if p.parent.name in ("views", "commands")}
    return sorted(p for p in found if str(p.relative_to(ROOT)) not in WRITERS)


def _receiver_is_queryset(node: ast.Attribute) -> bool:
    """``x.update(...)`` writes when x is a manager or query (``Model.objects``,
    ``....filter(...)``); on a plain name it is a dict's update."""
    value = node.value
    if isinstance(value, ast.Call):
        return True
    return isinstance(value, ast.Attribute) and value.attr in {"objects", "all_objects"}


def model_writes(source: str) -> list[tuple[int, str]]:
    """(line, call) for every model write in ``source``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        attr = node.func.attr
        if attr == "save" and any(
            k.arg == "commit" and isinstance(k.value, ast.Constant) and k.value.value is False
            for k in node.keywords
        ):
            continue
        if (
            attr in ALWAYS
            or attr in SAVE_DELETE
            or (attr == "update" and _receiver_is_queryset(node.func))
        ):
            found.append((node.lineno, ast.unparse(node)[:80]))
    return found


def test_the_sweep_covers_the_callers_of_services_in_every_app():
    names = {str(p.relative_to(ROOT)) for p in caller_modules()}
    assert "clients/views/clients.py" in names
    assert "checks/secrets/views/inventory.py" in names
    assert "checks/forms.py" in names
    assert {"clients/tasks.py", "checks/secrets/admin.py"} <= names
    assert "clients/management/commands/seed_demo.py" not in names
    assert all((ROOT / path).exists() for path in WRITERS)
    assert "handover/views.py" in names or any(n.startswith("handover/views") for n in names)


@pytest.mark.parametrize(
    "source",
    [
        "obj.save()",
        "form.save()",
        "rule.delete()",
        "Thing.objects.create(a=1)",
        "Thing.objects.filter(pk=1).update(a=2)",
        "Thing.all_objects.update(a=2)",
        "Thing.objects.update_or_create(a=1, defaults={})",
        "Thing.objects.bulk_create([])",
    ],
)
def test_the_detector_sees_each_kind_of_write(source):
    assert model_writes(source)


@pytest.mark.parametrize(
    "source", ["form.save(commit=False)", "context.update(extra)", "context.update(a=1)"]
)
def test_the_detector_lets_non_writes_through(source):
    assert model_writes(source) == []


def test_no_view_form_admin_task_or_command_writes_a_model():
    offenders = [
        f"{path.relative_to(ROOT)}:{line}: {call}"
        for path in caller_modules()
        for line, call in model_writes(path.read_text(encoding="utf-8"))
    ]
    assert offenders == [], "write through a service in <app>/services.py:\n" + "\n".join(offenders)


def _public_functions(path: Path) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        node
        for node in tree.body
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and not node.name.startswith("_")
    ]


LOGGERS = {"activity_log", "client_log", "soft_remove", "soft_restore"}


def _writes(node: ast.AST) -> bool:
    if model_writes(ast.unparse(node)):
        return True
    return any(
        isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id in LOGGERS
        for call in ast.walk(node)
    )


def write_services() -> list[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef]]:
    return [
        (str(path.relative_to(ROOT)), fn)
        for path in _modules("services.py")
        for fn in _public_functions(path)
        if _writes(fn)
    ]


def test_the_sweep_finds_the_write_services():
    names = {fn.name for _, fn in write_services()}
    assert {"domain_delete", "stage_advance", "envvar_save", "redirect_rule_add"} <= names


def test_every_public_write_service_takes_keyword_arguments_only():
    offenders = [
        f"{path}: {fn.name}({', '.join(a.arg for a in fn.args.posonlyargs + fn.args.args)})"
        for path, fn in write_services()
        if (fn.args.posonlyargs or fn.args.args or fn.args.vararg)
        and (path, fn.name) not in POSITIONAL_WRITES
    ]
    assert offenders == [], "make these keyword-only (def f(*, ...)):\n" + "\n".join(offenders)


def test_every_exception_to_keyword_only_still_exists_and_still_needs_it():
    functions = {(path, fn.name): fn for path, fn in write_services()}
    for key in POSITIONAL_WRITES:
        assert key in functions, f"{key} no longer writes or is gone: drop it from the list"
        fn = functions[key]
        assert fn.args.posonlyargs or fn.args.args, f"{key} is keyword-only now: drop it"
