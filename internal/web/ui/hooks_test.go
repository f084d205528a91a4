package ui

// ExportRowCap lets the tests lower the row cap of list exports.
var ExportRowCap = &exportRowCap

// MaxExportRows is the row cap of list exports.
const MaxExportRows = maxExportRows
