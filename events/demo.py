def seed_events(*, users, cycles, stdout=None) -> None:
    return None
