"""Floor A: a trivial Prefect flow with one task, on the same temporary server as `kanaalmonitor run`."""

from prefect import flow, task


@task
def one() -> int:
    return 1


@flow(name="floor-a")
def trivial() -> int:
    return one()


if __name__ == "__main__":
    trivial()
