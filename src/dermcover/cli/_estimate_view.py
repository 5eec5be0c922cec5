"""How an estimate reads on a terminal: each scenario's sessions, the bars, the ways to pay.
Imported by `dermcover estimate` when it runs, not at start-up."""

from __future__ import annotations

from decimal import Decimal

from rich import box
from rich.markup import escape
from rich.table import Table

from dermcover.cli.app import console
from dermcover.estimate import Estimate, Funding, LoanDisclosure, Scenario, ScenarioName

SCENARIO_TITLES = {
    ScenarioName.in_network: "In network",
    ScenarioName.out_of_network: "Out of network",
    ScenarioName.self_pay: "Self-pay, session by session",
    ScenarioName.self_pay_package: "Self-pay package",
}
BAR_WIDTH = 24


def dollars(amount: Decimal | None) -> str:
    return "—" if amount is None else f"${amount:,.2f}"


def coverage_label(scenario: Scenario) -> str:
    if scenario.covered is None:
        return "[yellow]? coverage uncertain[/]"
    if scenario.covered:
        return "[green]✔ covered[/]"
    if scenario.name in (ScenarioName.in_network, ScenarioName.out_of_network):
        return "[red]✘ not covered[/]"
    return "[dim]no plan involved[/]"


def print_scenario(scenario: Scenario) -> None:
    title = f"[bold]{SCENARIO_TITLES[scenario.name]}[/]  {coverage_label(scenario)}"
    table = Table(
        title=title, title_justify="left", show_footer=True, box=box.SIMPLE_HEAD, pad_edge=False
    )
    table.add_column("#", footer="total", justify="right")
    # The plan's columns appear when the plan pays something; a cost column when it is used.
    lines = scenario.sessions
    insured = scenario.disclosure is not None and scenario.covered is not False
    optional = [
        ("deductible", [line.deductible for line in lines]),
        ("coins.", [line.coinsurance for line in lines]),
        ("copay", [line.copay for line in lines]),
        ("bal. bill", [line.balance_bill for line in lines]),
    ]
    shown = [(name, values) for name, values in optional if insured and any(values)]
    if insured:
        table.add_column("allowed", justify="right", no_wrap=True)
    for name, _ in shown:
        table.add_column(name, justify="right", no_wrap=True)
    table.add_column(
        "you pay", footer=dollars(scenario.patient_total), justify="right", no_wrap=True
    )
    if insured:
        table.add_column(
            "plan pays", footer=dollars(scenario.plan_total), justify="right", no_wrap=True
        )
    table.add_column("note", style="dim")
    for index, line in enumerate(lines):
        row = [str(line.n)]
        if insured:
            row.append(dollars(line.allowed))
        row += [dollars(values[index]) for _, values in shown]
        row.append(dollars(line.patient))
        if insured:
            row.append(dollars(line.plan))
        row.append(escape(line.note or ""))
        table.add_row(*row)
    console.print(table)
    console.print(f"  [dim]{escape(scenario.coverage_reason)}[/]")
    if scenario.patient_total_if_not_covered is not None:
        console.print(
            f"  If the plan does not cover it: {dollars(scenario.patient_total_if_not_covered)}"
        )
    after = scenario.accumulators_after
    if after is not None:
        console.print(
            f"  After these sessions: deductible met {dollars(after.deductible_met)}, "
            f"out-of-pocket met {dollars(after.oop_met)}, visits used {after.visits_used}"
        )
    if scenario.disclosure is not None:
        disclosure = scenario.disclosure
        prerequisites = ", ".join(p.value.replace("_", " ") for p in disclosure.prerequisites)
        console.print(
            f"  Estimated cost sharing {dollars(disclosure.estimated_cost_sharing)}; "
            f"in-network rate {dollars(disclosure.in_network_rate)}; out-of-network allowed "
            f"amount {dollars(disclosure.out_of_network_allowed_amount)}; prerequisites: "
            f"{prerequisites or 'none'}"
        )
        console.print(f"  [dim italic]{escape(disclosure.notice)}[/]")
    for note in scenario.notes:
        console.print(f"  {escape(note)}")
    console.print()


def bar(amount: Decimal, largest: Decimal, extra: Decimal = Decimal(0)) -> str:
    if largest <= 0:
        return ""
    solid = int(amount / largest * BAR_WIDTH)
    shaded = int((amount + extra) / largest * BAR_WIDTH) - solid
    return "█" * solid + "░" * shaded


def bar_chart(rows: list[tuple[str, Decimal, Decimal, str, str]]) -> Table:
    """One bar per row: label, amount, the extra a worse case adds (shaded), figure, remark."""
    largest = max(amount + extra for _, amount, extra, _, _ in rows)
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column(no_wrap=True)
    grid.add_column(justify="right", no_wrap=True)
    grid.add_column(style="dim")
    for label, amount, extra, figure, remark in rows:
        grid.add_row(label, bar(amount, largest, extra), figure, remark)
    return grid


def print_bars(estimate: Estimate) -> None:
    console.print("[bold]What you pay, by scenario[/]  [dim](░: if the plan does not cover it)[/]")
    rows = []
    for scenario in estimate.scenarios:
        extra = scenario.worst_case_total - scenario.patient_total
        figure = dollars(scenario.patient_total)
        if extra:
            figure += f" to {dollars(scenario.worst_case_total)}"
        mark = "[green]← cheapest[/]" if scenario.name is estimate.cheapest else ""
        rows.append((SCENARIO_TITLES[scenario.name], scenario.patient_total, extra, figure, mark))
    console.print(bar_chart(rows))
    console.print()


def print_loan(loan: LoanDisclosure) -> None:
    console.print(
        f"[bold]Loan (Truth in Lending)[/]: amount financed {dollars(loan.amount_financed)}, "
        f"[bold]finance charge {dollars(loan.finance_charge)}[/], "
        f"[bold]APR {loan.apr * 100:.2f}%[/], total of payments {dollars(loan.total_of_payments)}"
        f"; {loan.months} monthly payments of {dollars(loan.monthly_payment)}"
        + (
            f" (the last {dollars(loan.final_payment)})"
            if loan.final_payment != loan.monthly_payment
            else ""
        )
    )
    table = Table(title_justify="left")
    for column in ("#", "payment", "interest", "principal", "balance"):
        table.add_column(column, justify="right")
    for row in loan.schedule:
        table.add_row(
            str(row.n),
            dollars(row.payment),
            dollars(row.interest),
            dollars(row.principal),
            dollars(row.balance),
        )
    console.print(table)


def print_funding(funding: Funding) -> None:
    scenario = f" ({SCENARIO_TITLES[funding.scenario]})" if funding.scenario else ""
    console.print(f"[bold]Ways to pay {dollars(funding.amount)}[/]{scenario}")
    accounts = funding.hsa_fsa
    colour = {"yes": "green", "no": "red"}.get(accounts.eligible.value, "yellow")
    console.print(
        f"  HSA/FSA: [{colour}]{accounts.eligible.value}[/]: {escape(accounts.reason)} "
        f"[dim]({escape(accounts.citation)})[/]"
    )
    if accounts.tax_savings is not None and accounts.eligible.value != "no":
        when = "" if accounts.eligible.value == "yes" else " if it qualifies"
        console.print(
            f"  Paying {dollars(accounts.from_accounts)} from the accounts saves "
            f"{dollars(accounts.tax_savings)} in tax{when}"
        )
    withdrawal = accounts.non_qualified_withdrawal
    if withdrawal is not None:
        console.print(
            f"  Taking {dollars(withdrawal.amount)} from the HSA for it if it does not qualify "
            f"costs {dollars(withdrawal.income_tax)} income tax + "
            f"{dollars(withdrawal.additional_tax)} additional tax = {dollars(withdrawal.total_tax)}"
        )
    rows = [
        (
            option.name.value.replace("_", " "),
            option.net_cost,
            Decimal(0),
            dollars(option.net_cost),
            ("[green]← cheapest[/] " if option.name is funding.cheapest else "")
            + escape(option.note),
        )
        for option in funding.options
    ]
    console.print(bar_chart(rows))
    if funding.promo_card is not None:
        console.print(
            f"  [dim]Promotional card: {escape(funding.promo_card.method_description)}[/]"
        )
    console.print()
    if funding.loan is not None:
        print_loan(funding.loan)


def print_estimate(estimate: Estimate) -> None:
    if estimate.determination is not None:
        console.print(
            f"Coverage determination: [bold]{estimate.determination.value}[/]"
            + (
                f" (prior authorization: {estimate.prior_authorization.value})"
                if estimate.prior_authorization is not None
                else ""
            )
        )
    for note in estimate.notes:
        console.print(f"[yellow]note:[/] {escape(note)}")
    console.print()
    for scenario in estimate.scenarios:
        print_scenario(scenario)
    print_bars(estimate)
    if estimate.funding is not None:
        print_funding(estimate.funding)
