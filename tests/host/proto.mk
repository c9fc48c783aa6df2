# Host tests of the protocol helper's pure part (lib/proto/proto.c:
# headers, dispatch lookup, request and reply checks) and of the
# registry's property tails (lib/registry/props.c). The fiber-driven
# client and server sides run in the guest (user/registry_test).
$(eval $(call host_test,test_proto,lib/proto/proto.c))
$(BUILD)/host/test_proto: lib/proto/proto.h abi/keel/proto/proto.h

$(eval $(call host_test,test_registry_props,lib/registry/props.c))
$(BUILD)/host/test_registry_props: lib/registry/registry.h \
	abi/keel/proto/registry.h
