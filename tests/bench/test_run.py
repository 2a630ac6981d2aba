"""What `make bench` concludes from its measurements (bench/run.py)."""

from __future__ import annotations

from bench.run import scale_out_ceiling


def test_two_instances_can_double_only_when_rasa_is_all_a_message_costs():
    # One instance at 50 msg/s is its core busy with Rasa's 20 ms a message.
    assert scale_out_ceiling({"rasa": 20.0}, 50.0, cores=2) == 2.0
    # Everything else a message costs shares the same two cores with both instances.
    costs = {"rasa": 20.0, "action_server": 5.0, "load_generator": 5.0}
    assert scale_out_ceiling(costs, 50.0, cores=2) == 1.33
    # One core: a second instance only splits it.
    assert scale_out_ceiling({"rasa": 20.0, "postgresql_redis": 2.0}, 45.45, cores=1) == 1.0
    assert scale_out_ceiling({}, 50.0, cores=2) is None


def test_time_one_instance_spends_waiting_is_headroom_for_a_second():
    # One instance measured at 40 msg/s where Rasa's CPU alone would allow 50.
    costs = {"rasa": 20.0, "action_server": 5.0, "load_generator": 5.0}
    assert scale_out_ceiling(costs, 40.0, cores=2) == 1.67
