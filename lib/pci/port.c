/*
 * The legacy PCI configuration mechanism #1 (see pci.h): the dword
 * address goes to port 0xCF8, the data moves through 0xCFC-0xCFF. Guest
 * only; the process must have enabled an I/O port grant covering
 * 0xCF8-0xCFF (SYS_IOPORT_CREATE + SYS_IOPORT_ENABLE), or the first
 * access faults.
 */
#include <pci/pci.h>

#define PCI_PORT_ADDRESS 0xcf8
#define PCI_PORT_DATA 0xcfc
#define PCI_PORT_ENABLE 0x80000000u

static void pci_port_select(pci_bdf_t bdf, uint16_t off)
{
	uint32_t a = PCI_PORT_ENABLE | (bdf << 8) | (off & 0xfcu);

	__asm__ volatile("outl %0, %1" : : "a"(a), "Nd"(PCI_PORT_ADDRESS));
}

static uint32_t pci_port_read(const struct pci_cfg *cfg, pci_bdf_t bdf,
			      uint16_t off, unsigned width)
{
	uint16_t port = (uint16_t)(PCI_PORT_DATA + (off & 3));
	uint32_t v;

	pci_port_select(bdf, off);
	if (width == 1) {
		uint8_t b;

		__asm__ volatile("inb %1, %0" : "=a"(b) : "Nd"(port));
		v = b;
	} else if (width == 2) {
		uint16_t w;

		__asm__ volatile("inw %1, %0" : "=a"(w) : "Nd"(port));
		v = w;
	} else {
		__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	}
	return v;
}

static void pci_port_write(const struct pci_cfg *cfg, pci_bdf_t bdf,
			   uint16_t off, unsigned width, uint32_t value)
{
	uint16_t port = (uint16_t)(PCI_PORT_DATA + (off & 3));

	pci_port_select(bdf, off);
	if (width == 1) {
		__asm__ volatile("outb %0, %1" : : "a"((uint8_t)value),
				 "Nd"(port));
	} else if (width == 2) {
		__asm__ volatile("outw %0, %1" : : "a"((uint16_t)value),
				 "Nd"(port));
	} else {
		__asm__ volatile("outl %0, %1" : : "a"(value), "Nd"(port));
	}
}

static const struct pci_cfg_ops pci_port_ops = {
	.read = pci_port_read,
	.write = pci_port_write,
};

void pci_cfg_init_ports(struct pci_cfg *cfg)
{
	*cfg = (struct pci_cfg){
		.ops = &pci_port_ops,
		.size = PCI_CFG_SIZE_LEGACY,
		.bus_first = 0,
		.bus_last = 255,
	};
}
