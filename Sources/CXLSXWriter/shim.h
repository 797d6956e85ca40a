#ifndef MUSTER_CXLSXWRITER_SHIM_H
#define MUSTER_CXLSXWRITER_SHIM_H

/* Debian's libxlsxwriter: the attendance sheet as an Excel workbook. */
#include <xlsxwriter.h>

#endif
