"""What `make bench` concludes from its measurements (bench/run.py)."""

from __future__ import annotations

from bench.run import scale_out_ceiling


def test_two_instances_can_double_only_when_rasa_is_all_a_message_costs():
    assert scale_out_ceiling({"rasa": 20.0}, cores=2) == 2.0
    # Everything else a message costs shares the same two cores with both instances.
    assert scale_out_ceiling({"rasa": 20.0, "action_server": 5.0, "load_generator": 5.0}, 2) == 1.33
    # One core: a second instance only splits it.
    assert scale_out_ceiling({"rasa": 20.0, "postgresql_redis": 2.0}, cores=1) == 1.0
    assert scale_out_ceiling({}, cores=2) is None
