"""Every problem ``code`` the API can answer with, and its status: the errors' own codes, found by importing every
module of the layers that define errors, plus the codes the problem handlers write themselves."""

from __future__ import annotations

import importlib
import pkgutil
from http import HTTPStatus

import keel.application
import keel.domain
import keel.presentation.api
from keel.application.errors import ApplicationError
from keel.domain.errors import DomainError
from keel.presentation.api.problems import ERROR_STATUS

HANDLER_CODES: dict[str, HTTPStatus] = {
    "validation_failed": HTTPStatus.UNPROCESSABLE_ENTITY,  # request validation (problems._validation_error)
    "internal_error": HTTPStatus.INTERNAL_SERVER_ERROR,  # the last line of defence (request_context middleware)
    "not_found": HTTPStatus.NOT_FOUND,  # no such route (problems._http_error: the status's name)
    "method_not_allowed": HTTPStatus.METHOD_NOT_ALLOWED,  # the route exists, the method does not
}


def _subclasses(cls: type) -> set[type]:
    found = set(cls.__subclasses__())
    for sub in list(found):
        found |= _subclasses(sub)
    return found


def problem_codes() -> dict[str, HTTPStatus]:
    for package in (keel.domain, keel.application, keel.presentation.api):
        for module in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
            importlib.import_module(module.name)
    codes = dict(HANDLER_CODES)
    for cls in _subclasses(DomainError) | _subclasses(ApplicationError):  # the bases themselves are never raised
        code = getattr(cls, "code", None)
        if not isinstance(code, str) or not cls.__module__.startswith("keel."):  # not tests' own errors
            continue
        status = next((ERROR_STATUS[c] for c in cls.__mro__ if c in ERROR_STATUS), HTTPStatus.INTERNAL_SERVER_ERROR)
        codes[code] = status
    return codes
