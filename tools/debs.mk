# Debian packages in the image (issue #4): downloaded once into a cache
# by tools/debs.sh (checked against the apt index's SHA256, reused
# offline), unpacked into $(DEBS_STAGE)/<package>/, from where the
# initrd takes what it needs:
#   /bin/busybox   busybox-static's /bin/busybox
#   /bin/bash      bash-static's /bin/bash-static
#
#   make DEBS_CACHE=~/keel-debs ...   keeps the cache out of build/
#                                     (so that `make clean` keeps it)

DEBS := busybox-static bash-static
DEBS_CACHE ?= $(BUILD)/debs
DEBS_STAGE := $(BUILD)/debs-stage
DEBS_STAMP := $(DEBS_STAGE).stamp

$(DEBS_STAMP): tools/debs.sh tools/debs.mk
	$(call msg,DEBS,$(DEBS_STAGE))
	$(Q)tools/debs.sh --cache $(DEBS_CACHE) --stage $(DEBS_STAGE) $(DEBS)
	$(Q)touch $@

# Unpacked files keep the package's time stamps: the stamp, not the
# files, tells the initrd that they changed.
INITRD_FILES += $(DEBS_STAGE)/busybox-static/bin/busybox:bin/busybox
INITRD_FILES += $(DEBS_STAGE)/bash-static/bin/bash-static:bin/bash
$(INITRD): $(DEBS_STAMP) $(BUILD)/busybox.links

# busybox's applets as links to it, as Debian's busybox package would
# lay them out (the list comes from the binary itself, run on the build
# host: it is a static x86_64 Linux program). Our own programs and bash
# keep their names; init is ours.
$(BUILD)/busybox.links: $(DEBS_STAMP)
	$(call msg,GEN,$@)
	$(Q)$(DEBS_STAGE)/busybox-static/bin/busybox --list-full | \
		grep -v -e '^sbin/init$$' -e '^linuxrc$$' | LC_ALL=C sort > $@
INITRD_BUSYBOX_LINKS += $(BUILD)/busybox.links

.PHONY: debs
debs: $(DEBS_STAMP)
