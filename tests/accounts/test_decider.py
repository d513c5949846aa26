"""Given these events, when this command, then these events or this refusal -- for every
command of the accounts domain and every refusal."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from pydantic import BaseModel, ValidationError

from domain.accounts.decider import decide
from domain.accounts.errors import (
    AccountExistsError,
    AccountNotFoundError,
    AccountNotOpenError,
    AccountsError,
    BalanceNotZeroError,
    CurrencyMismatchError,
    InsufficientFundsError,
    PrecisionError,
    SameAccountError,
    StepTakenError,
    TransferNotFoundError,
)
from domain.accounts.messages import (
    AccountClosed,
    AccountOpened,
    CloseAccount,
    CompensateTransfer,
    CompleteTransfer,
    CreditForTransfer,
    DebitForTransfer,
    Deposit,
    FailTransfer,
    ForgetHolder,
    HolderForgotten,
    Message,
    MoneyDeposited,
    MoneyWithdrawn,
    OpenAccount,
    RefundTransfer,
    RefuseDebit,
    RequestTransfer,
    TransferCompensated,
    TransferCompleted,
    TransferCredited,
    TransferDebited,
    TransferDebitRefused,
    TransferFailed,
    TransferRefunded,
    TransferRequested,
    Withdraw,
)
from domain.accounts.state import BankState, evolve, initial

AT = datetime(2026, 1, 1, tzinfo=UTC)
A, T = "acc1", "transfer-t1"
D = Decimal


def given(*events: Message, aggregate_id: str = A) -> BankState:
    state = initial(aggregate_id)
    for event in events:
        state = evolve(state, event, AT)
    return state


def then(state: BankState, command: BaseModel, *expected: Message) -> None:
    assert decide(command, state) == list(expected)


def opened(currency: str = "EUR", limit: str = "0") -> AccountOpened:
    return AccountOpened.model_validate(
        {"account_id": A, "holder": "Ada", "currency": currency, "overdraft_limit": limit}
    )


def requested(amount: str = "10") -> TransferRequested:
    return TransferRequested(transfer_id=T, from_account=A, to_account="acc2", amount=D(amount))


# -- OpenAccount --------------------------------------------------------------------------


def test_open_records_holder_currency_and_the_limit_in_minor_units() -> None:
    command = OpenAccount.model_validate(
        {"holder": "Ada", "currency": "EUR", "overdraft_limit": "50"}
    )
    then(given(), command, opened("EUR", "50.00"))
    assert str(decide(command, given())[0].model_dump(mode="json")["overdraft_limit"]) == "50.00"


def test_open_twice_is_refused() -> None:
    with pytest.raises(AccountExistsError):
        decide(OpenAccount(holder="Ada"), given(opened()))


@pytest.mark.parametrize(
    ("currency", "limit"), [("JPY", "0.5"), ("EUR", "0.001"), ("USD", "1.005")]
)
def test_a_limit_finer_than_the_currency_is_refused(currency: str, limit: str) -> None:
    command = OpenAccount.model_validate(
        {"holder": "Ada", "currency": currency, "overdraft_limit": limit}
    )
    with pytest.raises(PrecisionError) as refused:
        decide(command, given())
    assert (refused.value.currency, refused.value.amount) == (currency, D(limit))


@pytest.mark.parametrize(
    "fields",
    [
        {"holder": "", "currency": "EUR"},
        {"holder": "Ada", "currency": "XXX"},
        {"holder": "Ada", "overdraft_limit": "-1"},
        {"holder": "Ada", "overdraft_limit": 0.1},
        {"holder": "Ada", "overdraft_limit": "NaN"},
    ],
)
def test_open_with_bad_fields_does_not_validate(fields: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        OpenAccount.model_validate(fields)


# -- Deposit / Withdraw -------------------------------------------------------------------


def test_deposit_on_an_open_account() -> None:
    then(
        given(opened()),
        Deposit(account_id=A, amount=D("10.5")),
        MoneyDeposited(account_id=A, amount=D("10.50")),
    )


@pytest.mark.parametrize("amount", ["0", "-1", 1.5, "Infinity", "sNaN"])
def test_amounts_must_be_positive_exact_numbers(amount: object) -> None:
    for model in (Deposit, Withdraw):
        with pytest.raises(ValidationError):
            model.model_validate({"account_id": A, "amount": amount})


@pytest.mark.parametrize(
    ("currency", "amount", "ok"),
    [
        ("EUR", "1.23", True),
        ("EUR", "1.230", True),
        ("EUR", "1.234", False),
        ("JPY", "100", True),
        ("JPY", "100.5", False),
        ("USD", "0.001", False),
    ],
)
def test_amounts_have_at_most_the_currency_minor_units(
    currency: str, amount: str, ok: bool
) -> None:
    state = given(opened(currency))
    for command in (
        Deposit(account_id=A, amount=D(amount)),
        Withdraw(account_id=A, amount=D(amount)),
    ):
        if ok:
            assert len(decide(command, given(opened(currency, "1000")))) == 1
        else:
            with pytest.raises(PrecisionError) as refused:
                decide(command, state)
            assert refused.value.currency == currency


def test_withdraw_down_to_minus_the_limit() -> None:
    state = given(opened(limit="50"), MoneyDeposited(account_id=A, amount=D(100)))
    then(
        state,
        Withdraw(account_id=A, amount=D(150)),
        MoneyWithdrawn(account_id=A, amount=D("150.00")),
    )


@pytest.mark.parametrize(
    ("limit", "funds", "amount"),
    [("0", "100", "100.01"), ("50", "100", "150.01"), ("0", "0", "0.01")],
)
def test_withdraw_below_the_limit_is_refused_with_the_facts(
    limit: str, funds: str, amount: str
) -> None:
    funded = [MoneyDeposited(account_id=A, amount=D(funds))] if D(funds) else []
    state = given(opened(limit=limit), *funded)
    with pytest.raises(InsufficientFundsError) as refused:
        decide(Withdraw(account_id=A, amount=D(amount)), state)
    error = refused.value
    assert (error.account_id, error.balance, error.amount, error.limit) == (
        A,
        D(funds),
        D(amount),
        D(limit),
    )


def test_money_commands_on_unknown_closed_or_forgotten_accounts_are_refused() -> None:
    forgotten = HolderForgotten(
        account_id=A,
        erased_events=2,
        status="open",
        currency="EUR",
        balance=D(0),
        deposited=D(0),
        withdrawn=D(0),
    )
    commands = (
        Deposit(account_id=A, amount=D(1)),
        Withdraw(account_id=A, amount=D(1)),
        CloseAccount(account_id=A),
    )
    for command in commands:
        with pytest.raises(AccountNotFoundError):
            decide(command, given())
        with pytest.raises(AccountNotOpenError) as closed:
            decide(command, given(opened(), AccountClosed(account_id=A)))
        assert closed.value.status == "closed"
        with pytest.raises(AccountNotOpenError) as gone:
            decide(command, given(opened(), forgotten))
        assert gone.value.status == "forgotten"


# -- CloseAccount / ForgetHolder ----------------------------------------------------------


def test_close_at_zero_only() -> None:
    then(given(opened()), CloseAccount(account_id=A), AccountClosed(account_id=A))
    for moved in (
        MoneyDeposited(account_id=A, amount=D(1)),
        MoneyWithdrawn(account_id=A, amount=D(1)),
    ):
        with pytest.raises(BalanceNotZeroError) as refused:
            decide(CloseAccount(account_id=A), given(opened("EUR", "5"), moved))
        assert refused.value.balance != 0


def test_forget_checks_only_that_there_is_a_holder() -> None:
    assert decide(ForgetHolder(account_id=A), given(opened())) == []
    assert decide(ForgetHolder(account_id=A), given(opened(), AccountClosed(account_id=A))) == []
    with pytest.raises(AccountNotFoundError):
        decide(ForgetHolder(account_id=A), given())


def test_the_tombstone_keeps_the_figures_and_drops_the_holder() -> None:
    state = given(
        opened(),
        MoneyDeposited(account_id=A, amount=D(30)),
        MoneyWithdrawn(account_id=A, amount=D(5)),
    )
    tomb = HolderForgotten(
        account_id=A,
        erased_events=3,
        status=state.status,
        currency="EUR",
        balance=state.balance,
        deposited=state.deposited,
        withdrawn=state.withdrawn,
    )
    after = evolve(state, tomb, AT)
    assert (after.status, after.holder, after.balance, after.deposited, after.withdrawn) == (
        "forgotten",
        None,
        D(25),
        D(30),
        D(5),
    )


# -- transfers ------------------------------------------------------------------------------


def test_request_a_transfer() -> None:
    command = RequestTransfer(from_account=A, to_account="acc2", amount=D(10))
    then(given(aggregate_id=T), command, requested())
    with pytest.raises(SameAccountError):
        decide(RequestTransfer(from_account=A, to_account=A, amount=D(1)), given(aggregate_id=T))
    with pytest.raises(StepTakenError):
        decide(command, given(requested(), aggregate_id=T))
    with pytest.raises(TransferNotFoundError):
        decide(command, given())  # an account's stream is no transfer


def test_debit_takes_the_amount_once_and_carries_the_transfer() -> None:
    state = given(opened(), MoneyDeposited(account_id=A, amount=D(20)))
    debit = DebitForTransfer(account_id=A, transfer_id=T, to_account="acc2", amount=D(10))
    done = TransferDebited(
        account_id=A, transfer_id=T, to_account="acc2", amount=D("10.00"), currency="EUR"
    )
    then(state, debit, done)
    with pytest.raises(StepTakenError):
        decide(debit, given(opened(), MoneyDeposited(account_id=A, amount=D(20)), done))
    with pytest.raises(InsufficientFundsError):
        decide(debit.model_copy(update={"amount": D(21)}), state)


def test_a_refused_debit_is_recorded_once_and_blocks_a_later_debit() -> None:
    refused = TransferDebitRefused(account_id=A, transfer_id=T, reason="no funds")
    then(given(opened()), RefuseDebit(account_id=A, transfer_id=T, reason="no funds"), refused)
    debit = DebitForTransfer(account_id=A, transfer_id=T, to_account="acc2", amount=D(1))
    with pytest.raises(StepTakenError):
        decide(debit, given(opened(), MoneyDeposited(account_id=A, amount=D(5)), refused))


def test_credit_checks_currency_status_and_repeats() -> None:
    credit = CreditForTransfer(
        account_id=A, transfer_id=T, from_account="acc2", amount=D(10), currency="EUR"
    )
    done = TransferCredited(
        account_id=A, transfer_id=T, from_account="acc2", amount=D("10.00"), currency="EUR"
    )
    then(given(opened()), credit, done)
    with pytest.raises(StepTakenError):
        decide(credit, given(opened(), done))
    with pytest.raises(CurrencyMismatchError) as other:
        decide(credit, given(opened("JPY")))
    assert (other.value.currency, other.value.offered) == ("JPY", "EUR")
    with pytest.raises(AccountNotOpenError):
        decide(credit, given(opened(), AccountClosed(account_id=A)))


def test_refund_goes_back_even_to_a_closed_source_but_only_after_a_debit_and_once() -> None:
    debited = TransferDebited(
        account_id=A, transfer_id=T, to_account="b", amount=D(10), currency="EUR"
    )
    refund = RefundTransfer(account_id=A, transfer_id=T, amount=D(10), reason="target closed")
    done = TransferRefunded(
        account_id=A, transfer_id=T, amount=D(10), currency="EUR", reason="target closed"
    )
    funded = (opened(), MoneyDeposited(account_id=A, amount=D(10)))
    then(given(*funded, debited), refund, done)
    then(given(*funded, debited, AccountClosed(account_id=A)), refund, done)
    with pytest.raises(StepTakenError):
        decide(refund, given(*funded, debited, done))
    with pytest.raises(StepTakenError):
        decide(refund, given(*funded))


@pytest.mark.parametrize(
    ("command", "event"),
    [
        (CompleteTransfer(transfer_id=T), TransferCompleted(transfer_id=T)),
        (FailTransfer(transfer_id=T, reason="r"), TransferFailed(transfer_id=T, reason="r")),
        (
            CompensateTransfer(transfer_id=T, reason="r"),
            TransferCompensated(transfer_id=T, reason="r"),
        ),
    ],
)
def test_a_transfer_ends_once(command: BaseModel, event: Message) -> None:
    then(given(requested(), aggregate_id=T), command, event)
    with pytest.raises(StepTakenError):
        decide(command, given(requested(), event, aggregate_id=T))
    with pytest.raises(TransferNotFoundError):
        decide(command, given(aggregate_id=T))


def test_every_refusal_is_an_accounts_error() -> None:
    for error in (
        AccountExistsError,
        AccountNotFoundError,
        AccountNotOpenError,
        BalanceNotZeroError,
        CurrencyMismatchError,
        InsufficientFundsError,
        PrecisionError,
        SameAccountError,
        StepTakenError,
        TransferNotFoundError,
    ):
        assert issubclass(error, AccountsError)
