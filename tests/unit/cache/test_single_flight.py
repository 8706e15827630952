"""Single flight: concurrent calls with one key share one execution; a leader's failure is not shared; a cancelled
follower does not cancel the leader."""

from __future__ import annotations

import asyncio

import pytest

from keel.infrastructure.cache.single_flight import SingleFlight


class Source:
    def __init__(self) -> None:
        self.calls = 0
        self.release = asyncio.Event()
        self.fail_first = False

    async def read(self) -> str:
        self.calls += 1
        call = self.calls
        await self.release.wait()
        if self.fail_first and call == 1:
            raise ConnectionResetError("the leader's connection broke")
        return f"result {call}"


async def test_concurrent_calls_with_one_key_share_one_execution() -> None:
    flights: SingleFlight[str, str] = SingleFlight()
    source = Source()
    calls = [asyncio.create_task(flights.run("k", source.read)) for _ in range(50)]
    await asyncio.sleep(0)
    assert len(flights) == 1
    source.release.set()
    results = await asyncio.gather(*calls)
    assert source.calls == 1
    assert results[0] == ("result 1", False)
    assert set(results[1:]) == {("result 1", True)}
    assert len(flights) == 0


async def test_calls_with_different_keys_run_separately() -> None:
    flights: SingleFlight[str, str] = SingleFlight()
    source = Source()
    source.release.set()
    await asyncio.gather(flights.run("a", source.read), flights.run("b", source.read))
    assert source.calls == 2


async def test_when_the_leader_fails_each_follower_runs_the_call_itself() -> None:
    flights: SingleFlight[str, str] = SingleFlight()
    source = Source()
    source.fail_first = True
    leader = asyncio.create_task(flights.run("k", source.read))
    await asyncio.sleep(0)
    followers = [asyncio.create_task(flights.run("k", source.read)) for _ in range(3)]
    await asyncio.sleep(0)
    source.release.set()
    with pytest.raises(ConnectionResetError):
        await leader
    results = await asyncio.gather(*followers)
    assert source.calls == 4
    assert all(not shared for _, shared in results)


async def test_a_cancelled_follower_leaves_the_leader_and_the_others_alone() -> None:
    flights: SingleFlight[str, str] = SingleFlight()
    source = Source()
    leader = asyncio.create_task(flights.run("k", source.read))
    await asyncio.sleep(0)
    quitter = asyncio.create_task(flights.run("k", source.read))
    stayer = asyncio.create_task(flights.run("k", source.read))
    await asyncio.sleep(0)
    quitter.cancel()
    source.release.set()
    assert await leader == ("result 1", False)
    assert await stayer == ("result 1", True)
    assert quitter.cancelled()
