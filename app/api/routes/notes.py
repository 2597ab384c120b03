"""Departments' quarterly progress notes on their tasks."""

from __future__ import annotations

from fastapi import APIRouter

from app.api.deps import ContextDep, NoteWriter, Reader
from app.api.models import NoteIn, NoteOut
from app.services import notes as note_service

router = APIRouter(prefix="/notes", tags=["notes"])


@router.get("", response_model=list[NoteOut])
def list_notes(
    user: Reader,
    context: ContextDep,
    department: str | None = None,
    period: str | None = None,
    task: str | None = None,
) -> list[NoteOut]:
    """Progress notes, filtered by department, period or task."""
    notes = note_service.list_notes(engine=context.engine, department=department, period=period, task=task)
    return [NoteOut(**n) for n in notes]


@router.put("", response_model=NoteOut)
def save_note(body: NoteIn, user: NoteWriter, context: ContextDep) -> NoteOut:
    """Create or update the note for department × task × period while the period is open."""
    saved = note_service.save_note(
        engine=context.engine,
        plan=context.plan,
        actor=user,
        note=note_service.NoteInput(
            department=body.department,
            task=body.task,
            period=body.period,
            status=note_service.NoteStatus(body.status),
            narrative=body.narrative,
        ),
        edit_days=context.settings.note_edit_days,
    )
    return NoteOut(**saved)
