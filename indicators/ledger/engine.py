"""The award engine: what an application may receive under its policy item, and why.

`quote(incentive, claim, history)` applies the award's rules to the claim's basis figures (the
components add up: the gross), then the history (首次: once only; 补贴期: at most N years), then
every cap in order (the rule's own cap first, then per project, per enterprise-year …), each
recorded as a step with its Chinese and English explanation, like the progress badges.
`history` is the enterprise's awards already in the ledger; the engine reads nothing else.
Amounts are 万元, exact Decimals, rounded to 0.0001 万元 (one 元) at the end.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from indicators.ledger.rules import (
    OPERATOR_ZH,
    OPERATORS,
    Award,
    Cap,
    CapScope,
    Condition,
    Form,
    Incentive,
    Jump,
    Once,
    Rule,
    Upgrade,
)

ZERO = Decimal(0)
_CENT = Decimal("0.0001")
CAP_LABELS = {
    "rule": ("规则上限", "rule cap"),
    CapScope.AWARD: ("单笔上限", "per-award cap"),
    CapScope.PROJECT: ("同一项目上限", "per-project cap"),
    CapScope.PROJECT_YEAR: ("同一项目年度上限", "per-project-year cap"),
    CapScope.ENTERPRISE_YEAR: ("同一企业年度上限", "per-enterprise-year cap"),
    CapScope.ENTERPRISE: ("同一企业累计上限", "per-enterprise cap"),
}

Basis = Mapping[str, "Decimal | str"]


class ClaimError(ValueError):
    """An application the engine cannot price: a missing, unknown or impossible basis figure."""

    def __init__(self, code: str, message_zh: str, message_en: str, key: str | None = None) -> None:
        self.code, self.message_zh, self.message_en, self.key = code, message_zh, message_en, key
        super().__init__(f"{message_zh} / {message_en}")


@dataclass(frozen=True, slots=True)
class Prior:
    """An award already in the ledger for the same enterprise (applied, approved or paid)."""

    item: int
    award: str
    year: int
    amount: Decimal
    project: str | None = None
    level: str | None = None  # the level it was for ("CMMI:3" when levels are grouped)
    tier: Decimal | None = None  # the highest tier threshold it reached


@dataclass(frozen=True, slots=True)
class Claim:
    item: int
    award: str
    year: int
    basis: Basis
    project: str | None = None


@dataclass(frozen=True, slots=True)
class Step:
    """One step of the computation; `amount` is the running award after it."""

    kind: str  # rule | condition | history | cap
    code: str  # the rule form, "once", "max_years", or the cap scope
    amount: Decimal
    text_zh: str
    text_en: str
    bound: bool = False  # a cap (or history limit) that lowered the award
    limit: Decimal | None = None
    lowered: Decimal = ZERO  # a rule's own cap: how much it took off


@dataclass(frozen=True, slots=True)
class Quote:
    item: int
    award: str
    award_name: str
    year: int
    amount: Decimal
    gross: Decimal
    rule_zh: str
    rule_en: str
    steps: tuple[Step, ...]
    level: str | None = None
    tier: Decimal | None = None

    @property
    def caps(self) -> tuple[Step, ...]:
        return tuple(s for s in self.steps if s.kind == "cap")

    @property
    def binding_caps(self) -> tuple[str, ...]:
        """Scopes of the caps and history limits that lowered the award."""
        return tuple(str(s.code) for s in self.steps if s.kind == "cap" and s.bound)

    @property
    def history_limits(self) -> tuple[str, ...]:
        """History rules that lowered the award: once (首次), upgrade (差额), max_years (补贴期)."""
        return tuple(str(s.code) for s in self.steps if s.kind == "history" and s.bound)

    @property
    def explanation_zh(self) -> str:
        return "；".join(s.text_zh for s in self.steps) + f"。核定奖补 {fmt(self.amount)} 万元。"

    @property
    def explanation_en(self) -> str:
        return "; ".join(s.text_en for s in self.steps) + f". Award: {fmt(self.amount)} (10k yuan)."

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data: amounts as numbers in 万元."""
        return {
            "item": self.item,
            "award": self.award,
            "award_name": self.award_name,
            "year": self.year,
            "amount": float(self.amount),
            "gross": float(self.gross),
            "unit": "万元",
            "rule": self.rule_zh,
            "rule_en": self.rule_en,
            "level": self.level,
            "tier": float(self.tier) if self.tier is not None else None,
            "binding_caps": list(self.binding_caps),
            "history_limits": list(self.history_limits),
            "caps": [_step_dict(s) for s in self.caps],
            "steps": [_step_dict(s) for s in self.steps],
            "explanation": self.explanation_zh,
            "explanation_en": self.explanation_en,
        }


def _step_dict(step: Step) -> dict[str, Any]:
    return {
        "kind": step.kind,
        "code": str(step.code),
        "amount": float(step.amount),
        "limit": float(step.limit) if step.limit is not None else None,
        "bound": step.bound,
        "text": step.text_zh,
        "text_en": step.text_en,
    }


def fmt(value: Decimal) -> str:
    """A Decimal without exponent or trailing zeros: 1290, 41.25, 0.5."""
    text = format(value.quantize(_CENT, rounding=ROUND_HALF_UP), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def choose_award(incentive: Incentive, award: str | None, basis_keys: set[str]) -> Award:
    """The award named, or the only one, or the only one whose required basis keys are all given."""
    if award:
        try:
            return incentive.award(award)
        except StopIteration:
            codes = ", ".join(a.code for a in incentive.awards)
            raise ClaimError(
                "unknown-award",
                f"第{incentive.item}条没有奖补事项“{award}”（可选：{codes}）",
                f"item {incentive.item} has no award {award!r} ({codes})",
            ) from None
    if len(incentive.awards) == 1:
        return incentive.awards[0]
    fitting = [
        a
        for a in incentive.awards
        if {b.key for b in a.basis if b.required} <= basis_keys and basis_keys <= {b.key for b in a.basis}
    ]
    if len(fitting) == 1:
        return fitting[0]
    choices = "、".join(f"{a.code}（{a.name}）" for a in incentive.awards)
    raise ClaimError(
        "award-required",
        f"第{incentive.item}条有多个奖补事项，请指定其一：{choices}",
        f"item {incentive.item} has several awards; name one: {', '.join(a.code for a in incentive.awards)}",
    )


def parse_basis(award: Award, raw: Mapping[str, Any]) -> dict[str, Decimal | str]:
    """Check and convert the basis figures of a claim: numbers ≥ 0, levels from their list."""
    out: dict[str, Decimal | str] = {}
    for key, value in raw.items():
        spec = award.basis_key(key)
        if spec is None:
            known = "、".join(b.key for b in award.basis)
            raise ClaimError(
                "unknown-basis",
                f"依据“{key}”不属于{award.name}（可用：{known}）",
                f"unknown basis key {key!r} (known: {known})",
                key,
            )
        if value is None or str(value).strip() in ("", "—", "-"):
            continue
        if spec.is_level:
            text = str(value).strip()
            if text not in spec.choices:
                raise ClaimError(
                    "bad-level",
                    f"{spec.name}“{text}”不在可选范围：{'、'.join(spec.choices)}",
                    f"{key} {text!r} is not one of {', '.join(spec.choices)}",
                    key,
                )
            out[key] = text
            continue
        try:
            number = Decimal(str(value).strip().replace(",", "").replace("，", ""))
        except InvalidOperation:
            raise ClaimError(
                "not-a-number",
                f"{spec.name}应为数字，实际为“{value}”",
                f"{key} must be a number, got {value!r}",
                key,
            ) from None
        if not number.is_finite() or number < 0:
            raise ClaimError(
                "negative",
                f"{spec.name}不能为负数或非有限值：{value}",
                f"{key} must be a non-negative finite number",
                key,
            )
        if number > Decimal("1e12"):
            raise ClaimError("too-large", f"{spec.name}数值过大：{value}", f"{key} is implausibly large", key)
        out[key] = number
    missing = [b for b in award.basis if b.required and b.key not in out]
    if missing:
        names = "、".join(f"{b.name}（{b.key}）" for b in missing)
        raise ClaimError(
            "missing-basis",
            f"缺少依据：{names}",
            f"missing basis: {', '.join(b.key for b in missing)}",
            missing[0].key,
        )
    return out


def quote(incentive: Incentive, claim: Claim, history: Sequence[Prior] = ()) -> Quote:
    """Price the claim: the rules (summed), then 首次 and year limits, then every cap in order."""
    award = incentive.award(claim.award)
    basis = parse_basis(award, claim.basis)
    same = [p for p in history if p.item == incentive.item and p.award == award.code]
    steps: list[Step] = []
    total = ZERO
    fired: list[tuple[str, str]] = []
    level: str | None = None
    tier: Decimal | None = None
    uncapped = ZERO
    for rule in award.rules:
        part, rule_steps, facts = _rule(rule, award, basis, same, running=total)
        steps.extend(rule_steps)
        total += part
        uncapped += _before_cap(rule_steps, part)
        level = facts.get("level", level)
        tier = facts.get("tier", tier)
        if part > 0:
            fired.append((rule.name, rule.name_en or rule.name))
    gross = uncapped
    total = _history(award, claim, same, total, steps)
    for cap in award.caps:
        total = _cap(cap, award, claim, basis, history, incentive.item, total, steps)
    amount = total.quantize(_CENT, rounding=ROUND_HALF_UP)
    rule_zh = " + ".join(zh for zh, _ in fired) or "未触发奖励规则"
    rule_en = " + ".join(en for _, en in fired) or "no rule fired"
    return Quote(
        item=incentive.item,
        award=award.code,
        award_name=award.name,
        year=claim.year,
        amount=amount,
        gross=gross.quantize(_CENT, rounding=ROUND_HALF_UP),
        rule_zh=f"{incentive.clause} {award.name}：{rule_zh}",
        rule_en=f"Policy item {incentive.item} {award.name_en or award.code}: {rule_en}",
        steps=tuple(steps),
        level=level,
        tier=tier,
    )


def _before_cap(steps: list[Step], amount: Decimal) -> Decimal:
    """What a rule gave before its own cap: the capped amount plus what its cap steps took off."""
    return amount + sum((s.lowered for s in steps if s.kind == "cap"), ZERO)


def _label(award: Award, key: str) -> tuple[str, str, str]:
    spec = award.basis_key(key)
    return (spec.name, spec.name_en or key, spec.unit) if spec else (key, key, "")


def _pct(rate: Decimal) -> str:
    return f"{fmt(rate * 100)}%"


def _conditions(rule: Rule, award: Award, basis: Mapping[str, Decimal | str], running: Decimal) -> list[Step]:
    """Failed conditions, as steps (empty when all hold)."""
    failed = []
    for cond in rule.conditions:
        ok, shown = _condition(cond, basis)
        if not ok:
            zh, en, unit = _label(award, cond.key)
            what = cond.text or (
                f"{zh}同比增幅{OPERATOR_ZH[cond.op]}{_pct(cond.value)}"
                if cond.growth_over
                else f"{zh}{OPERATOR_ZH[cond.op]}{fmt(cond.value)}{unit}"
            )
            failed.append(
                Step(
                    "condition",
                    str(rule.form),
                    running,
                    f"{rule.name}未满足条件：{what}（实际{shown}）",
                    f"{rule.name_en or rule.name}: condition not met: "
                    f"{en} {cond.op} {cond.value} (actual {shown})",
                )
            )
    return failed


def _condition(cond: Condition, basis: Mapping[str, Decimal | str]) -> tuple[bool, str]:
    value = basis.get(cond.key)
    if not isinstance(value, Decimal):
        return False, "未填"
    if cond.growth_over is None:
        return OPERATORS[cond.op](value, cond.value), fmt(value)
    previous = basis.get(cond.growth_over)
    if not isinstance(previous, Decimal) or previous == 0:
        return False, "上年为零或未填，无法计算增幅"
    growth = (value - previous) / previous
    return OPERATORS[cond.op](growth, cond.value), _pct(growth.quantize(Decimal("0.0001")))


def _rule(
    rule: Rule, award: Award, basis: Mapping[str, Decimal | str], same: list[Prior], *, running: Decimal
) -> tuple[Decimal, list[Step], dict[str, Any]]:
    failed = _conditions(rule, award, basis, running)
    if failed:
        return ZERO, failed, {}
    facts: dict[str, Any] = {}
    form = rule.form
    if form is Form.FIXED:
        amount, steps, facts = _fixed(rule, award, basis, same, running)
    elif form is Form.RATE:
        assert rule.base is not None and rule.rate is not None
        base = _num(basis, rule.base)
        amount = base * rule.rate
        zh, en, unit = _label(award, rule.base)
        steps = [
            Step(
                "rule",
                form,
                running + amount,
                f"{rule.name}：{zh}{fmt(base)}{unit} × {_pct(rule.rate)} = {fmt(amount)}万元",
                f"{rule.name_en or rule.name}: {en} {fmt(base)} × {_pct(rule.rate)} = {fmt(amount)}",
            )
        ]
    elif form is Form.TIERS:
        amount, steps, facts = _tiers(rule, award, basis, same, running)
    elif form is Form.INCREMENT:
        assert rule.key and rule.previous and rule.rate is not None
        value, previous = _num(basis, rule.key), _num(basis, rule.previous)
        increment = max(value - previous, ZERO)
        amount = increment * rule.rate
        steps = [
            Step(
                "rule",
                form,
                running + amount,
                f"{rule.name}：增量 {fmt(value)} − {fmt(previous)} = {fmt(increment)}万元"
                f" × {_pct(rule.rate)} = {fmt(amount)}万元",
                f"{rule.name_en or rule.name}: increment {fmt(value)} − {fmt(previous)} = {fmt(increment)}"
                f" × {_pct(rule.rate)} = {fmt(amount)}",
            )
        ]
    elif form is Form.BANDS:
        amount, steps = _bands(rule, award, basis, running)
    elif form is Form.PER_PERSON:
        assert rule.key and rule.amount_key
        count, each = _num(basis, rule.key), _num(basis, rule.amount_key)
        _within(rule, award, rule.amount_key, each)
        amount = count * each
        steps = [
            Step(
                "rule",
                form,
                running + amount,
                f"{rule.name}：{fmt(count)}人 × {fmt(each)}万元/人 = {fmt(amount)}万元",
                f"{rule.name_en or rule.name}: {fmt(count)} persons × {fmt(each)} = {fmt(amount)}",
            )
        ]
    else:  # RANGE, DISCRETIONARY: the decided amount
        assert rule.amount_key
        amount = _num(basis, rule.amount_key)
        if rule.minimum is not None and amount < rule.minimum:
            _within(rule, award, rule.amount_key, amount)
        kind = "一事一议，认定金额" if form is Form.DISCRETIONARY else "认定金额"
        steps = [
            Step(
                "rule",
                form,
                running + amount,
                f"{rule.name}：{kind} {fmt(amount)}万元",
                f"{rule.name_en or rule.name}: decided amount {fmt(amount)}",
            )
        ]
        if form is Form.RANGE and rule.maximum is not None and amount > rule.maximum:
            steps.append(
                Step(
                    "cap",
                    "rule",
                    running + rule.maximum,
                    f"规则上限：奖励区间{fmt(rule.minimum or ZERO)}—{fmt(rule.maximum)}万元，"
                    f"由{fmt(amount)}万元降至{fmt(rule.maximum)}万元",
                    f"rule cap: range {rule.minimum}–{rule.maximum}, "
                    f"{fmt(amount)} lowered to {fmt(rule.maximum)}",
                    bound=True,
                    limit=rule.maximum,
                    lowered=amount - rule.maximum,
                )
            )
            amount = rule.maximum
    if rule.cap is not None:
        bound = amount > rule.cap
        new = min(amount, rule.cap)
        zh = f"规则上限：{rule.name}最高{fmt(rule.cap)}万元" + (
            f"，由{fmt(amount)}万元降至{fmt(new)}万元" if bound else "，未触及"
        )
        en = f"rule cap: {rule.name_en or rule.name} at most {fmt(rule.cap)}" + (
            f", {fmt(amount)} lowered to {fmt(new)}" if bound else ", not reached"
        )
        steps.append(
            Step("cap", "rule", running + new, zh, en, bound=bound, limit=rule.cap, lowered=amount - new)
        )
        amount = new
    return amount, steps, facts


def _num(basis: Mapping[str, Decimal | str], key: str) -> Decimal:
    value = basis.get(key)
    if not isinstance(value, Decimal):
        raise ClaimError("missing-basis", f"缺少依据：{key}", f"missing basis: {key}", key)
    return value


def _within(rule: Rule, award: Award, key: str, value: Decimal) -> None:
    low, high = rule.minimum, rule.maximum
    if (low is not None and value < low) or (high is not None and value > high):
        zh, _, _ = _label(award, key)
        raise ClaimError(
            "out-of-range",
            f"{zh} {fmt(value)}万元不在政策区间 {fmt(low or ZERO)}—{fmt(high or ZERO)} 万元内",
            f"{key} {fmt(value)} is outside the range {low}–{high}",
            key,
        )


def _fixed(
    rule: Rule, award: Award, basis: Mapping[str, Decimal | str], same: list[Prior], running: Decimal
) -> tuple[Decimal, list[Step], dict[str, Any]]:
    form = rule.form
    if not rule.levels:
        assert rule.amount is not None
        return (
            rule.amount,
            [
                Step(
                    "rule",
                    form,
                    running + rule.amount,
                    f"{rule.name}：定额 {fmt(rule.amount)}万元",
                    f"{rule.name_en or rule.name}: fixed {fmt(rule.amount)}",
                )
            ],
            {},
        )
    group = str(basis[rule.group_key]) if rule.group_key else None
    level = str(basis[rule.level_key])
    key = f"{group}:{level}" if group else level
    name = rule.level_names.get(key, rule.level_names.get(level, level))
    label = f"{group} {name}" if group and key not in rule.level_names else name
    if key not in rule.levels:
        raise ClaimError(
            "bad-level",
            f"{rule.name}没有等次“{label}”",
            f"{rule.name_en or rule.name} has no level {key!r}",
            rule.level_key,
        )
    full = rule.levels[key]
    facts = {"level": key}
    steps = [
        Step(
            "rule",
            form,
            running + full,
            f"{rule.name}：“{label}”{fmt(full)}万元",
            f"{rule.name_en or rule.name}: level {key} pays {fmt(full)}",
        )
    ]
    if rule.upgrade is Upgrade.DIFFERENCE:
        held = [p.level for p in same if p.level and (group is None or p.level.startswith(f"{group}:"))]
        if rule.previous_level_key and basis.get(rule.previous_level_key):
            prev = str(basis[rule.previous_level_key])
            held.append(f"{group}:{prev}" if group else prev)
        held_amounts = [(rule.levels[h], h) for h in held if h in rule.levels]
        if held_amounts:
            best, best_key = max(held_amounts)
            best_name = rule.level_names.get(best_key, best_key.split(":")[-1])
            pay = max(full - best, ZERO)
            if pay == 0:
                steps.append(
                    Step(
                        "history",
                        "upgrade",
                        running,
                        f"首次：已获得或已达到“{best_name}”（{fmt(best)}万元），本次不高于已有等次，不再奖励",
                        f"once: level {best_key} ({fmt(best)}) already held; no upgrade",
                        bound=True,
                    )
                )
            else:
                steps.append(
                    Step(
                        "history",
                        "upgrade",
                        running + pay,
                        f"由低等次“{best_name}”（{fmt(best)}万元）升级至“{label}”（{fmt(full)}万元），"
                        f"奖励差额 {fmt(pay)}万元",
                        f"upgrade from {best_key} ({fmt(best)}) to {key} ({fmt(full)}) "
                        f"pays the difference {fmt(pay)}",
                        bound=True,
                    )
                )
            return pay, steps, facts
    elif award.once is Once.LEVEL:
        earlier = next((p for p in same if p.level == key), None)
        if earlier is not None:
            steps.append(
                Step(
                    "history",
                    "once",
                    running,
                    f"首次：该企业{earlier.year}年已获得“{label}”奖励，不再重复奖励",
                    f"once: level {key} already awarded in {earlier.year}",
                    bound=True,
                )
            )
            return ZERO, steps, facts
    return full, steps, facts


def _tiers(
    rule: Rule, award: Award, basis: Mapping[str, Decimal | str], same: list[Prior], running: Decimal
) -> tuple[Decimal, list[Step], dict[str, Any]]:
    assert rule.key
    value = _num(basis, rule.key)
    zh, en, unit = _label(award, rule.key)
    reached = [t for t in rule.tiers if value >= t.threshold]
    before = ZERO
    if rule.previous and isinstance(basis.get(rule.previous), Decimal):
        before = _num(basis, rule.previous)
    paid = max((p.tier for p in same if p.tier is not None), default=ZERO)
    new = [t for t in reached if t.threshold > before and t.threshold > paid]
    facts: dict[str, Any] = {"tier": reached[-1].threshold} if reached else {}
    if not new:
        why = f"{zh}{fmt(value)}{unit}，未首次达到新的档次" + (
            f"（最高已达{fmt(reached[-1].threshold)}{unit}档）"
            if reached
            else f"（最低档{fmt(rule.tiers[0].threshold)}{unit}）"
        )
        return (
            ZERO,
            [
                Step(
                    "rule",
                    rule.form,
                    running,
                    f"{rule.name}：{why}",
                    f"{rule.name_en or rule.name}: {en} {fmt(value)} first reaches no new tier",
                )
            ],
            facts,
        )
    chosen = [new[-1]] if rule.jump is Jump.HIGHEST else new
    amount = sum((t.amount for t in chosen), ZERO)
    tiers_zh = "、".join(f"{fmt(t.threshold)}{unit}档（{fmt(t.amount)}万元）" for t in chosen)
    text = f"{rule.name}：{zh}{fmt(value)}{unit}，首次达到{tiers_zh}"
    earlier = [t for t in reached if t not in new]
    if earlier:
        text += f"；{fmt(earlier[-1].threshold)}{unit}档此前已达到，不再奖励"
    skipped = [t for t in new if t not in chosen]
    if skipped:
        text += f"；同年跨越的{'、'.join(fmt(t.threshold) + unit for t in skipped)}档按最高档计，不重复奖励"
    return (
        amount,
        [
            Step(
                "rule",
                rule.form,
                running + amount,
                text,
                f"{rule.name_en or rule.name}: {en} {fmt(value)} first reaches "
                f"{', '.join(fmt(t.threshold) for t in chosen)}: {fmt(amount)}",
            )
        ],
        facts,
    )


def _bands(
    rule: Rule, award: Award, basis: Mapping[str, Decimal | str], running: Decimal
) -> tuple[Decimal, list[Step]]:
    assert rule.key and rule.base
    size, base = _num(basis, rule.key), _num(basis, rule.base)
    size_zh, _, size_unit = _label(award, rule.key)
    base_zh, _, _ = _label(award, rule.base)
    if size == 0:
        return ZERO, [
            Step(
                "rule",
                rule.form,
                running,
                f"{rule.name}：{size_zh}为0，无补贴",
                f"{rule.name_en or rule.name}: zero {rule.key}",
            )
        ]
    lower, weighted, parts = ZERO, ZERO, []
    for band in rule.bands:
        share = max(min(size, band.upto) - lower, ZERO)
        if share > 0:
            weighted += share * band.rate
            parts.append(f"{fmt(share)}{size_unit} × {_pct(band.rate)}")
        lower = band.upto
    amount = base * weighted / size
    beyond = f"；超过{fmt(rule.bands[-1].upto)}{size_unit}部分不予补贴" if size > rule.bands[-1].upto else ""
    text = (
        f"{rule.name}：{base_zh}{fmt(base)}万元按{size_zh}{fmt(size)}{size_unit}分段："
        f"（{' + '.join(parts)}）÷ {fmt(size)}{size_unit} × {fmt(base)}万元 = {fmt(amount)}万元{beyond}"
    )
    return amount, [
        Step(
            "rule",
            rule.form,
            running + amount,
            text,
            f"{rule.name_en or rule.name}: {fmt(base)} shared over bands of {fmt(size)} = {fmt(amount)}",
        )
    ]


def _history(award: Award, claim: Claim, same: list[Prior], total: Decimal, steps: list[Step]) -> Decimal:
    """首次 (once per enterprise or project) and the maximum number of years."""
    if award.once is Once.ENTERPRISE and same:
        first = min(p.year for p in same)
        steps.append(
            Step(
                "history",
                "once",
                ZERO,
                f"首次：该企业{first}年已获得{award.name}，一次性奖励不再重复",
                f"once: already awarded in {first}",
                bound=total > 0,
            )
        )
        return ZERO
    if award.once is Once.PROJECT:
        earlier = [p for p in same if p.project == claim.project]
        if earlier:
            what = f"项目“{claim.project}”" if claim.project else "该企业（未填项目名称，按企业计）"
            steps.append(
                Step(
                    "history",
                    "once",
                    ZERO,
                    f"首次：{what}{earlier[0].year}年已获得{award.name}，不再重复奖励",
                    f"once: project already awarded in {earlier[0].year}",
                    bound=total > 0,
                )
            )
            return ZERO
    if award.once is Once.YEAR and any(p.year == claim.year for p in same):
        steps.append(
            Step(
                "history",
                "once",
                ZERO,
                f"每年一次：该企业{claim.year}年已申报{award.name}，不再重复奖励",
                f"once a year: already claimed for {claim.year}",
                bound=total > 0,
            )
        )
        return ZERO
    if award.max_years is not None:
        years = sorted({p.year for p in same})
        if claim.year not in years and len(years) >= award.max_years:
            steps.append(
                Step(
                    "history",
                    "max_years",
                    ZERO,
                    f"补贴期不超过{award.max_years}年：该企业已于{'、'.join(map(str, years))}年获得补贴",
                    f"at most {award.max_years} years: already subsidised in {', '.join(map(str, years))}",
                    bound=total > 0,
                )
            )
            return ZERO
        used = len(years) + (claim.year not in years)
        steps.append(
            Step(
                "history",
                "max_years",
                total,
                f"补贴期：第{used}年（不超过{award.max_years}年）",
                f"subsidy period: year {used} of at most {award.max_years}",
            )
        )
    return total


def _cap(
    cap: Cap,
    award: Award,
    claim: Claim,
    basis: Mapping[str, Decimal | str],
    history: Sequence[Prior],
    item: int,
    total: Decimal,
    steps: list[Step],
) -> Decimal:
    limit = cap.amount
    label_zh, label_en = CAP_LABELS[cap.scope]
    per_text = ""
    if cap.per:
        times = _num(basis, cap.per)
        limit = cap.amount * times
        per_zh, _, per_unit = _label(award, cap.per)
        per_text = f"（{fmt(cap.amount)}万元 × {per_zh}{fmt(times)}{per_unit}）"
    scoped = [
        p
        for p in history
        if p.item == item
        and (p.award == award.code or (cap.over_item and cap.scope is CapScope.ENTERPRISE_YEAR))
    ]
    if cap.scope in (CapScope.PROJECT, CapScope.PROJECT_YEAR):
        scoped = [p for p in scoped if p.project == claim.project]
    if cap.scope in (CapScope.PROJECT_YEAR, CapScope.ENTERPRISE_YEAR):
        scoped = [p for p in scoped if p.year == claim.year]
    if cap.scope is CapScope.AWARD:
        scoped = []
    used = sum((p.amount for p in scoped), ZERO)
    remaining = max(limit - used, ZERO)
    new = min(total, remaining)
    bound = new < total
    name = cap.text or f"{label_zh}{fmt(limit)}万元"
    zh = f"{label_zh}：{name}{per_text}"
    en = f"{label_en}: at most {fmt(limit)}"
    if scoped:
        zh += f"，此前已获{fmt(used)}万元，尚余{fmt(remaining)}万元"
        en += f", {fmt(used)} already awarded, {fmt(remaining)} left"
    zh += f"，由{fmt(total)}万元降至{fmt(new)}万元" if bound else "，未触及"
    en += f", {fmt(total)} lowered to {fmt(new)}" if bound else ", not reached"
    steps.append(Step("cap", cap.scope, new, zh, en, bound=bound, limit=limit))
    return new
