// Offline machines cannot download Chrome; use the system Chromium instead.
module.exports = { skipDownload: true };
