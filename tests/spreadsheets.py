"""Spreadsheets the import tests upload."""

HEADER = "name,category,unit,size,quantity,location,expiry\n"


def two_hundred_rows_with_five_bad() -> bytes:
    """195 good rows (new items of the category "food", at "Main hall" or "Shelf B"), then
    5 rows each wrong in one way."""
    rows = [
        f"Donated item {n},food,each,0.5,{n + 1},Main hall,\n"
        if n % 2
        else f"Donated item {n},Food,box,2,{n + 1},shelf b,2027-01-{n % 28 + 1:02d}\n"
        for n in range(195)
    ]
    rows += [
        "Mystery,not-a-category,each,1,3,Main hall,\n",
        "Tins,food,crate,1,3,Main hall,\n",
        "Rice,food,bag,0,3,Main hall,\n",
        "Beans,food,each,1,-4,Main hall,\n",
        "Soap,food,each,1,3,Attic,\n",
    ]
    return (HEADER + "".join(rows)).encode()
