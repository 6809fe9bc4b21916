#!/usr/bin/env python3
"""iscsi_block.py PORTAL IQN LUN read|write [TEXT] — block 0 of an iSCSI LUN
through libiscsi, the userspace initiator of libiscsi-bin (libiscsi7), with
ctypes: `write TEXT` writes TEXT (NUL-padded to one block) with FUA, `read`
prints block 0 up to its first NUL. iscsi-ls and iscsi-inq (libiscsi-bin)
list LUNs and inquiry data but read no blocks, and this kernel has no iSCSI
initiator. Exit 1 with libiscsi's message when login or the command fails.

A read's data sits in libiscsi's struct scsi_task (datain.size at byte 64,
datain.data at byte 72 in libiscsi 1.19, Debian 12): the layout is checked
against the transfer length at byte 12 before the pointer is used.
"""
import ctypes
import sys

BLOCK = 512


def main():
    portal, iqn, lun, op = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    lib = ctypes.CDLL("libiscsi.so.7")
    vp, cp, i = ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int
    lib.iscsi_create_context.restype = vp
    lib.iscsi_create_context.argtypes = [cp]
    lib.iscsi_set_targetname.argtypes = [vp, cp]
    lib.iscsi_set_session_type.argtypes = [vp, i]
    lib.iscsi_set_header_digest.argtypes = [vp, i]
    lib.iscsi_full_connect_sync.argtypes = [vp, cp, i]
    lib.iscsi_get_error.restype = cp
    lib.iscsi_get_error.argtypes = [vp]
    lib.iscsi_read16_sync.restype = vp
    lib.iscsi_read16_sync.argtypes = [vp, i, ctypes.c_uint64, ctypes.c_uint32, i, i, i, i, i, i, i]
    lib.iscsi_write16_sync.restype = vp
    lib.iscsi_write16_sync.argtypes = [vp, i, ctypes.c_uint64, cp, ctypes.c_uint32, i, i, i, i, i, i]
    lib.scsi_free_scsi_task.argtypes = [vp]

    ctx = lib.iscsi_create_context(b"iqn.2026-12.lab.crm:e2e-client")
    lib.iscsi_set_targetname(ctx, iqn.encode())
    lib.iscsi_set_session_type(ctx, 2)   # ISCSI_SESSION_NORMAL
    lib.iscsi_set_header_digest(ctx, 0)  # ISCSI_HEADER_DIGEST_NONE
    if lib.iscsi_full_connect_sync(ctx, portal.encode(), lun) != 0:
        sys.exit("login to %s %s: %s" % (portal, iqn, lib.iscsi_get_error(ctx).decode()))
    if op == "write":
        data = sys.argv[5].encode().ljust(BLOCK, b"\0")[:BLOCK]
        # lba 0, one block, wrprotect 0, dpo 0, fua 1, fua_nv 0, group 0
        task = lib.iscsi_write16_sync(ctx, lun, 0, data, BLOCK, BLOCK, 0, 0, 1, 0, 0)
    else:
        task = lib.iscsi_read16_sync(ctx, lun, 0, BLOCK, BLOCK, 0, 0, 0, 0, 0, 0)
    if not task:
        sys.exit("%s16: %s" % (op, lib.iscsi_get_error(ctx).decode()))
    status = ctypes.c_int.from_address(task).value
    if status != 0:
        sys.exit("%s16: SCSI status %d" % (op, status))
    if op == "read":
        xfer = ctypes.c_int.from_address(task + 12).value
        size = ctypes.c_int.from_address(task + 64).value
        if xfer != BLOCK or size != BLOCK:
            sys.exit("unknown struct scsi_task layout (expxferlen %d, datain.size %d)" % (xfer, size))
        data = ctypes.string_at(ctypes.c_void_p.from_address(task + 72).value, BLOCK)
        print(data.split(b"\0")[0].decode(errors="replace"))
    lib.scsi_free_scsi_task(task)


if __name__ == "__main__":
    main()
