/*
 * The pure part of the protocol helper (proto.h): headers, dispatch
 * table lookup, request and reply checks. No system calls, so the host
 * tests run it as is. Headers are read through memcpy: a message buffer
 * need not be aligned for this code to be correct.
 */
#include <base/string.h>
#include <proto/proto.h>

void proto_header_set(void *msg, uint32_t id, size_t length)
{
	struct proto_header h = {
		.id = id,
		.length = (uint32_t)length,
	};

	memcpy(msg, &h, sizeof(h));
}

const struct proto_handler *proto_handler_find(
	const struct proto_handler *table, size_t count, uint32_t id)
{
	for (size_t i = 0; i < count; i++) {
		if (table[i].id == id) {
			return &table[i];
		}
	}
	return NULL;
}

err_t proto_request_frame_check(const void *msg, size_t length)
{
	struct proto_header h;

	if (length < sizeof(h)) {
		return ERR_INVALID;
	}
	memcpy(&h, msg, sizeof(h));
	if (h.length != length || h.status != 0 || h.reserved != 0 ||
	    (h.id & PROTO_REPLY)) {
		return ERR_INVALID;
	}
	return ERR_OK;
}

err_t proto_request_check(const void *msg, size_t length,
			  const struct proto_handler *table, size_t count,
			  const struct proto_handler **out)
{
	const struct proto_handler *entry;
	struct proto_header h;
	err_t err = proto_request_frame_check(msg, length);

	if (err) {
		return err;
	}
	memcpy(&h, msg, sizeof(h));
	entry = proto_handler_find(table, count, h.id);
	if (!entry) {
		return ERR_NOT_SUPPORTED;
	}
	if (length < entry->min_length) {
		return ERR_INVALID;
	}
	if (length > entry->max_length) {
		return ERR_TOO_BIG;
	}
	*out = entry;
	return ERR_OK;
}

int64_t proto_frame_check(const void *msg, size_t length)
{
	struct proto_header h;

	if (length < sizeof(h)) {
		return -(int64_t)ERR_CORRUPT;
	}
	memcpy(&h, msg, sizeof(h));
	if (h.length != length || !(h.id & PROTO_REPLY) || h.reserved != 0 ||
	    h.status > 0 || h.status <= -(int32_t)ERR_COUNT) {
		return -(int64_t)ERR_CORRUPT;
	}
	if (h.status < 0 && length != sizeof(h)) {
		return -(int64_t)ERR_CORRUPT;
	}
	return h.status;
}

int64_t proto_reply_check(const void *msg, size_t length, uint32_t request_id,
			  size_t min_length, size_t max_length)
{
	int64_t status = proto_frame_check(msg, length);
	struct proto_header h;

	if (status == -(int64_t)ERR_CORRUPT) {
		return status;
	}
	memcpy(&h, msg, sizeof(h));
	if (h.id != (request_id | PROTO_REPLY)) {
		return -(int64_t)ERR_CORRUPT;
	}
	if (status == 0 && (length < min_length || length > max_length)) {
		return -(int64_t)ERR_CORRUPT;
	}
	return status;
}
