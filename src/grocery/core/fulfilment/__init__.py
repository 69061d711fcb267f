"""Delivery and click-and-collect: zones, pickup points, slots and the places in them.

A slot has `capacity` places. A cart *holds* one until its hold runs out; checkout turns the
hold into the order's *booking*, and cancelling the order frees it. Held (unexpired) plus
booked never exceed the capacity: the adapters enforce that in the database, under the
slot's lock, in one conditional statement; these rules say what the numbers mean and when a
slot may be booked. An expired hold simply stops counting, so no sweeper is needed for
correctness.
"""
