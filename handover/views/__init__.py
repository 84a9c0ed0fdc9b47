"""One module per screen: the staff handover page, downloads and receipt, verification."""
