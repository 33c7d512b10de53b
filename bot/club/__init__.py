"""After the screening: the rules of ratings (half stars), the critics' score a club's verdict is compared with,
and the club's statistics. Pure: no Discord types, no SQL."""
