# Host tests of the PCI configuration-space library (lib/pci): capability
# walks over synthetic and hostile spaces, MSI/MSI-X programming, BAR
# sizing, the bus scan. The port backend (lib/pci/port.c) is guest only.
$(eval $(call host_test,test_pci,lib/pci/pci.c))
$(BUILD)/host/test_pci: lib/pci/pci.h abi/keel/error.h tests/host/rng.h
