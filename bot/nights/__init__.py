"""Movie nights: reading times, planning and delivering posts. Pure logic: no Discord types, no SQL."""
