"""The plan as loaded: regions, departments, domains, tasks, indicators, targets."""

from __future__ import annotations

from fastapi import APIRouter

from app.api.deps import ContextDep, Reader
from app.api.models import Department, Domain, Indicator, Region, Target, Task

router = APIRouter(prefix="/catalog", tags=["catalog"])


@router.get("/regions", response_model=list[Region])
def regions(user: Reader, context: ContextDep) -> list[Region]:
    """Regions: the province, its cities (and counties when the plan has them) and zones."""
    return [
        Region(
            code=r.code,
            name=r.name,
            short_name=r.short_name,
            name_en=r.name_en,
            level=str(r.level),
            parent=r.parent,
        )
        for r in context.plan.regions
    ]


@router.get("/departments", response_model=list[Department])
def departments(user: Reader, context: ContextDep) -> list[Department]:
    """Every department named as responsible in the plan."""
    return [
        Department(code=d.code, name=d.name, short_name=d.short_name, name_en=d.name_en, kind=d.kind)
        for d in context.plan.departments
    ]


@router.get("/domains", response_model=list[Domain])
def domains(user: Reader, context: ContextDep) -> list[Domain]:
    """The plan's domains: 网 智 数 器 芯, 保障措施, 政策."""
    return [Domain(code=d.code, name=d.name, title=d.title, name_en=d.name_en) for d in context.plan.domains]


@router.get("/tasks", response_model=list[Task])
def tasks(
    user: Reader, context: ContextDep, department: str | None = None, domain: str | None = None
) -> list[Task]:
    """Tasks with their clause, text, lead and supporting departments."""
    return [
        Task(
            code=t.code,
            domain=t.domain,
            kind=str(t.kind),
            clause=t.clause,
            title=t.title,
            title_en=t.title_en,
            text=t.text,
            lead=t.lead,
            support=list(t.support),
            departments_source=t.departments_source,
        )
        for t in context.plan.tasks
        if (department is None or department in t.departments) and (domain is None or t.domain == domain)
    ]


@router.get("/indicators", response_model=list[Indicator])
def indicators(user: Reader, context: ContextDep) -> list[Indicator]:
    """Indicators with units, frequency, measure, aggregation and reporting department."""
    return [
        Indicator(
            code=i.code,
            name=i.name,
            name_en=i.name_en,
            unit=i.unit,
            frequency=str(i.frequency),
            measure=str(i.measure),
            aggregation=str(i.aggregation),
            polarity=str(i.polarity),
            domain=i.domain,
            department=i.department,
            levels=[str(lv) for lv in i.levels],
            aliases=list(i.aliases),
            tasks=list(i.tasks),
            definition=i.definition,
            source=i.source,
        )
        for i in context.plan.indicators
    ]


@router.get("/targets", response_model=list[Target])
def targets(user: Reader, context: ContextDep) -> list[Target]:
    """Numeric targets and qualitative milestones with the clause that sets them."""
    return [
        Target(
            id=t.id,
            indicator=t.indicator,
            milestone=t.milestone,
            region=t.region,
            year=t.year,
            value=t.value,
            comparator=str(t.comparator) if t.comparator else None,
            trajectory=str(t.trajectory),
            clause=t.clause,
            text=t.text,
            name=t.name,
        )
        for t in context.plan.targets
    ]
