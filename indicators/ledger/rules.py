"""Award rules of 若干政策 as data: what each policy item pays, read from the plan file.

Each policy task (`policy-01` … `policy-22`) carries `[[tasks.awards]]` entries (one per 奖补事项),
each with `[[tasks.awards.rules]]` (components that add up) and `[[tasks.awards.caps]]` (limits
applied after the rules, in order). docs/plan-format.md § 奖补规则 documents the keys;
`parse_awards` refuses a broken rule with the plan file's entry and the problem, like the rest
of the plan. Amounts are in 万元 and kept as Decimal so that 3% of 43,000 is exactly 1,290.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any


class Form(StrEnum):
    FIXED = "fixed"  # a fixed sum, or one per level (国家级 100 / 省级 50)
    RATE = "rate"  # rate × base, optionally capped (投资额的30%，最高500万)
    TIERS = "tiers"  # thresholds first reached pay once each (首次达到1亿/5亿/10亿)
    INCREMENT = "increment"  # rate × (value − previous value) under conditions, capped
    BANDS = "bands"  # a base shared out over bands of another figure (300㎡以内全额、300—1000㎡减半)
    PER_PERSON = "per_person"  # persons × an amount per person within a range (每人每年1—3万)
    RANGE = "range"  # an amount decided within [minimum, maximum] (200万元至1000万元)
    DISCRETIONARY = "discretionary"  # no formula (一事一议): the decided amount, capped if a cap is set


class CapScope(StrEnum):
    AWARD = "award"  # this award alone (每场、每人次)
    PROJECT = "project"  # the same project over all years (同一个项目、系统或产品)
    PROJECT_YEAR = "project_year"  # the same project in one year (每个平台每年)
    ENTERPRISE_YEAR = "enterprise_year"  # the same enterprise in one year (同一企业年度、每户企业每年)
    ENTERPRISE = "enterprise"  # the same enterprise over all years (每个联合体)


class Once(StrEnum):
    NONE = "none"  # may be paid again (annual subsidies)
    ENTERPRISE = "enterprise"  # once per enterprise (一次性)
    LEVEL = "level"  # once per enterprise and level (each title once)
    PROJECT = "project"  # once per project, title or standard
    YEAR = "year"  # once per enterprise and year (an annual award: 按年, 同比)


class Upgrade(StrEnum):
    FULL = "full"  # a higher level pays its full amount
    DIFFERENCE = "difference"  # 由低等次向高等次升级的，奖励其差额部分


class Jump(StrEnum):
    HIGHEST = "highest"  # several tiers first reached in one year: only the highest is paid
    EACH = "each"  # every tier first reached is paid


OPERATORS: dict[str, Callable[[Decimal, Decimal], bool]] = {
    ">=": lambda a, b: a >= b,
    ">": lambda a, b: a > b,
    "<=": lambda a, b: a <= b,
    "<": lambda a, b: a < b,
}
OPERATOR_ZH = {">=": "不低于", ">": "高于", "<=": "不高于", "<": "低于"}


@dataclass(frozen=True, slots=True)
class BasisKey:
    """A figure an application gives: a number (万元, ㎡, 人 …) or a level chosen from a list."""

    key: str
    name: str
    name_en: str = ""
    unit: str = "万元"
    choices: tuple[str, ...] = ()  # a level key: the allowed values
    required: bool = True

    @property
    def is_level(self) -> bool:
        return bool(self.choices)


@dataclass(frozen=True, slots=True)
class Condition:
    """`key` (or its growth over `growth_over`, as a share) compared with `value`."""

    key: str
    op: str
    value: Decimal
    growth_over: str | None = None
    text: str = ""


@dataclass(frozen=True, slots=True)
class Tier:
    threshold: Decimal
    amount: Decimal


@dataclass(frozen=True, slots=True)
class Band:
    upto: Decimal
    rate: Decimal


@dataclass(frozen=True, slots=True)
class Rule:
    """One component of an award; the components of an award add up before the caps."""

    form: Form
    name: str
    name_en: str = ""
    amount: Decimal | None = None  # FIXED without levels
    levels: Mapping[str, Decimal] = field(default_factory=dict)  # FIXED by level ("CMMI:3" when grouped)
    level_names: Mapping[str, str] = field(default_factory=dict)
    level_key: str = "level"
    group_key: str | None = None  # e.g. "scheme": levels are grouped (CMMI/ITSS/DCMM)
    previous_level_key: str | None = None
    upgrade: Upgrade = Upgrade.FULL
    base: str | None = None  # RATE, BANDS: the figure the rate applies to
    rate: Decimal | None = None
    cap: Decimal | None = None
    key: str | None = None  # TIERS, INCREMENT, BANDS: the figure compared; PER_PERSON: the count
    previous: str | None = None  # TIERS, INCREMENT: last year's figure
    tiers: tuple[Tier, ...] = ()
    jump: Jump = Jump.HIGHEST
    bands: tuple[Band, ...] = ()
    amount_key: str | None = None  # PER_PERSON, RANGE, DISCRETIONARY: the decided amount
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    conditions: tuple[Condition, ...] = ()


@dataclass(frozen=True, slots=True)
class Cap:
    scope: CapScope
    amount: Decimal
    per: str | None = None  # the limit is `amount` × this basis figure (每人次: × person_times)
    over_item: bool = False  # ENTERPRISE_YEAR counts the whole item's awards, not only this award's
    text: str = ""


@dataclass(frozen=True, slots=True)
class Award:
    """One 奖补事项 of a policy item: its basis figures, rules, caps and history limits."""

    code: str
    name: str
    clause: str
    basis: tuple[BasisKey, ...]
    rules: tuple[Rule, ...]
    caps: tuple[Cap, ...] = ()
    once: Once = Once.NONE
    max_years: int | None = None
    reading: str = ""
    name_en: str = ""

    def basis_key(self, key: str) -> BasisKey | None:
        return next((b for b in self.basis if b.key == key), None)


@dataclass(frozen=True, slots=True)
class Incentive:
    """A policy item (若干政策 第N条) with its awards; `task` is the plan task it belongs to."""

    item: int
    task: str
    clause: str
    awards: tuple[Award, ...]
    reading: str = ""

    def award(self, code: str) -> Award:
        return next(a for a in self.awards if a.code == code)


class RuleError(ValueError):
    """A broken rule: `entry` is where in the plan file, `problem` what is wrong."""

    def __init__(self, entry: str, problem: str) -> None:
        self.entry, self.problem = entry, problem
        super().__init__(f"{entry}: {problem}")


def money(value: Any, entry: str, key: str, *, positive: bool = False) -> Decimal:
    """A number from the plan as an exact Decimal (floats go through their shortest repr)."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise RuleError(entry, f"'{key}' must be a number, got {value!r}")
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise RuleError(entry, f"'{key}' must be a number, got {value!r}") from None
    if not number.is_finite() or number < 0 or (positive and number == 0):
        raise RuleError(entry, f"'{key}' must be a {'positive' if positive else 'non-negative'} number")
    return number


def _enum(kind: Any, value: Any, entry: str, key: str) -> Any:
    try:
        return kind(value)
    except ValueError:
        allowed = ", ".join(str(v) for v in kind)
        raise RuleError(entry, f"bad {key} {value!r} (allowed: {allowed})") from None


def _text(raw: Mapping[str, Any], key: str, entry: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value.strip():
        raise RuleError(entry, f"missing required key '{key}'")
    return value


def _opt(raw: Mapping[str, Any], key: str, entry: str, *, positive: bool = False) -> Decimal | None:
    return money(raw[key], entry, key, positive=positive) if raw.get(key) is not None else None


def parse_awards(task_code: str, clause: str, raw_awards: Any, entry: str) -> Incentive:
    """Read a policy task's `awards` into an Incentive, checking every rule against its basis keys."""
    if not isinstance(raw_awards, list) or not raw_awards:
        raise RuleError(entry, "'awards' must be a non-empty array of tables ([[tasks.awards]])")
    try:
        item = int(task_code.rsplit("-", 1)[1])
    except (IndexError, ValueError):
        raise RuleError(entry, "awards belong to policy tasks named policy-NN") from None
    awards = [_award(raw, f"{entry} awards[{i}]") for i, raw in enumerate(raw_awards)]
    codes = [a.code for a in awards]
    if len(set(codes)) != len(codes):
        raise RuleError(entry, f"duplicate award code in {codes}")
    return Incentive(item=item, task=task_code, clause=clause, awards=tuple(awards))


def _award(raw: Any, entry: str) -> Award:
    if not isinstance(raw, dict):
        raise RuleError(entry, "must be a table")
    entry = f"{entry} {raw.get('code', '?')}"
    basis = tuple(_basis(b, f"{entry} basis[{i}]") for i, b in enumerate(raw.get("basis", [])))
    keys = {b.key for b in basis}
    if len(keys) != len(basis):
        raise RuleError(entry, "duplicate basis key")
    raw_rules = raw.get("rules")
    if not isinstance(raw_rules, list) or not raw_rules:
        raise RuleError(entry, "needs at least one rule ([[tasks.awards.rules]])")
    rules = tuple(_rule(r, f"{entry} rules[{i}]", basis) for i, r in enumerate(raw_rules))
    caps = tuple(_cap(c, f"{entry} caps[{i}]", keys) for i, c in enumerate(raw.get("caps", [])))
    max_years = raw.get("max_years")
    if max_years is not None and (
        not isinstance(max_years, int) or isinstance(max_years, bool) or max_years < 1
    ):
        raise RuleError(entry, f"max_years must be a whole number of years >= 1, got {max_years!r}")
    return Award(
        code=_text(raw, "code", entry),
        name=_text(raw, "name", entry),
        name_en=str(raw.get("name_en", "")),
        clause=_text(raw, "clause", entry),
        basis=basis,
        rules=rules,
        caps=caps,
        once=_enum(Once, raw.get("once", "none"), entry, "once"),
        max_years=max_years,
        reading=str(raw.get("reading", "")),
    )


def _basis(raw: Any, entry: str) -> BasisKey:
    if not isinstance(raw, dict):
        raise RuleError(entry, "must be a table")
    choices = raw.get("choices", [])
    if not isinstance(choices, list):
        raise RuleError(entry, "'choices' must be a list")
    return BasisKey(
        key=_text(raw, "key", entry),
        name=_text(raw, "name", entry),
        name_en=str(raw.get("name_en", "")),
        unit=str(raw.get("unit", "" if choices else "万元")),
        choices=tuple(str(c) for c in choices),
        required=bool(raw.get("required", True)),
    )


def _need(entry: str, basis: tuple[BasisKey, ...], key: str | None, what: str, *, level: bool = False) -> str:
    if not key:
        raise RuleError(entry, f"missing required key '{what}'")
    found = next((b for b in basis if b.key == key), None)
    if found is None:
        raise RuleError(entry, f"'{what}' names basis key '{key}', which the award does not declare")
    if found.is_level != level:
        kind = "a level (with choices)" if level else "a number"
        raise RuleError(entry, f"basis key '{key}' used as '{what}' must be {kind}")
    return key


def _rule(raw: Any, entry: str, basis: tuple[BasisKey, ...]) -> Rule:
    if not isinstance(raw, dict):
        raise RuleError(entry, "must be a table")
    form = _enum(Form, raw.get("form"), entry, "form")
    conditions = tuple(
        _condition(c, f"{entry} conditions[{i}]", basis) for i, c in enumerate(raw.get("conditions", []))
    )
    common: dict[str, Any] = {
        "form": form,
        "name": _text(raw, "name", entry),
        "name_en": str(raw.get("name_en", "")),
        "cap": _opt(raw, "cap", entry, positive=True),
        "conditions": conditions,
    }
    if form is Form.FIXED:
        return _fixed(raw, entry, basis, common)
    if form is Form.RATE:
        rate = _opt(raw, "rate", entry, positive=True)
        if rate is None or rate > 1:
            raise RuleError(entry, "a rate rule needs 'rate' in (0, 1]")
        return Rule(base=_need(entry, basis, raw.get("base"), "base"), rate=rate, **common)
    if form in (Form.TIERS, Form.INCREMENT):
        key = _need(entry, basis, raw.get("key"), "key")
        previous = raw.get("previous")
        if previous is not None:
            _need(entry, basis, previous, "previous")
        if form is Form.INCREMENT:
            rate = _opt(raw, "rate", entry, positive=True)
            if rate is None or rate > 1 or previous is None:
                raise RuleError(entry, "an increment rule needs 'rate' in (0, 1] and 'previous'")
            return Rule(key=key, previous=previous, rate=rate, **common)
        tiers = _tiers(raw.get("tiers"), entry)
        return Rule(
            key=key,
            previous=previous,
            tiers=tiers,
            jump=_enum(Jump, raw.get("jump", "highest"), entry, "jump"),
            **common,
        )
    if form is Form.BANDS:
        bands: list[Band] = []
        for i, b in enumerate(raw.get("bands", [])):
            upto = money(b.get("upto"), f"{entry} bands[{i}]", "upto", positive=True)
            rate = money(b.get("rate"), f"{entry} bands[{i}]", "rate")
            if rate > 1 or (bands and upto <= bands[-1].upto):
                raise RuleError(f"{entry} bands[{i}]", "bands need rising 'upto' and a rate in [0, 1]")
            bands.append(Band(upto=upto, rate=rate))
        if not bands:
            raise RuleError(entry, "a bands rule needs 'bands'")
        return Rule(
            key=_need(entry, basis, raw.get("key"), "key"),
            base=_need(entry, basis, raw.get("base"), "base"),
            bands=tuple(bands),
            **common,
        )
    # PER_PERSON, RANGE, DISCRETIONARY: a decided amount, bounded
    minimum, maximum = _opt(raw, "minimum", entry), _opt(raw, "maximum", entry, positive=True)
    if minimum is not None and maximum is not None and minimum > maximum:
        raise RuleError(entry, "'minimum' exceeds 'maximum'")
    if form in (Form.PER_PERSON, Form.RANGE) and (minimum is None or maximum is None):
        raise RuleError(entry, f"a {form} rule needs 'minimum' and 'maximum'")
    count = _need(entry, basis, raw.get("key"), "key") if form is Form.PER_PERSON else None
    amount_key = _need(entry, basis, raw.get("amount_key"), "amount_key")
    return Rule(key=count, amount_key=amount_key, minimum=minimum, maximum=maximum, **common)


def _fixed(raw: dict[str, Any], entry: str, basis: tuple[BasisKey, ...], common: dict[str, Any]) -> Rule:
    levels_raw = raw.get("levels")
    if levels_raw is None:
        amount = _opt(raw, "amount", entry, positive=True)
        if amount is None:
            raise RuleError(entry, "a fixed rule needs 'amount' or 'levels'")
        return Rule(amount=amount, **common)
    if not isinstance(levels_raw, dict) or not levels_raw:
        raise RuleError(entry, "'levels' must be a table of level = amount")
    level_key = _need(entry, basis, raw.get("level_key", "level"), "level_key", level=True)
    group_key = raw.get("group_key")
    levels: dict[str, Decimal] = {}
    if group_key is not None:
        groups = basis[
            [b.key for b in basis].index(_need(entry, basis, group_key, "group_key", level=True))
        ].choices
        for group, table in levels_raw.items():
            if group not in groups or not isinstance(table, dict):
                raise RuleError(entry, f"levels.{group}: not one of {list(groups)} or not a table")
            for level, amount in table.items():
                levels[f"{group}:{level}"] = money(amount, entry, f"levels.{group}.{level}", positive=True)
    else:
        for level, amount in levels_raw.items():
            levels[str(level)] = money(amount, entry, f"levels.{level}", positive=True)
    choices = basis[[b.key for b in basis].index(level_key)].choices
    bare = {k.split(":")[-1] for k in levels}
    if bare - set(choices):
        raise RuleError(
            entry, f"levels {sorted(bare - set(choices))} are not choices of basis key '{level_key}'"
        )
    previous = raw.get("previous_level_key")
    if previous is not None:
        _need(entry, basis, previous, "previous_level_key", level=True)
    names = raw.get("level_names", {})
    return Rule(
        levels=levels,
        level_names={str(k): str(v) for k, v in names.items()},
        level_key=level_key,
        group_key=group_key,
        previous_level_key=previous,
        upgrade=_enum(Upgrade, raw.get("upgrade", "full"), entry, "upgrade"),
        **common,
    )


def _tiers(raw: Any, entry: str) -> tuple[Tier, ...]:
    if not isinstance(raw, list) or not raw:
        raise RuleError(entry, "a tiers rule needs 'tiers' = [{ threshold = …, amount = … }, …]")
    tiers = [
        Tier(
            threshold=money(t.get("threshold"), entry, "threshold", positive=True),
            amount=money(t.get("amount"), entry, "amount", positive=True),
        )
        for t in raw
    ]
    if any(b.threshold <= a.threshold for a, b in zip(tiers, tiers[1:], strict=False)):
        raise RuleError(entry, "tier thresholds must rise")
    return tuple(tiers)


def _condition(raw: Any, entry: str, basis: tuple[BasisKey, ...]) -> Condition:
    if not isinstance(raw, dict):
        raise RuleError(entry, "must be a table")
    op = raw.get("op", ">=")
    if op not in OPERATORS:
        raise RuleError(entry, f"bad op {op!r} (allowed: {', '.join(OPERATORS)})")
    growth_over = raw.get("growth_over")
    if growth_over is not None:
        _need(entry, basis, growth_over, "growth_over")
    return Condition(
        key=_need(entry, basis, raw.get("key"), "key"),
        op=op,
        value=money(raw.get("value"), entry, "value"),
        growth_over=growth_over,
        text=str(raw.get("text", "")),
    )


def _cap(raw: Any, entry: str, keys: set[str]) -> Cap:
    if not isinstance(raw, dict):
        raise RuleError(entry, "must be a table")
    per = raw.get("per")
    if per is not None and per not in keys:
        raise RuleError(entry, f"'per' names basis key '{per}', which the award does not declare")
    scope = _enum(CapScope, raw.get("scope"), entry, "scope")
    over = raw.get("over", "award")
    if over not in ("award", "item"):
        raise RuleError(entry, f"bad over {over!r} (allowed: award, item)")
    return Cap(
        scope=scope,
        amount=money(raw.get("amount"), entry, "amount", positive=True),
        per=per,
        over_item=over == "item",
        text=str(raw.get("text", "")),
    )
