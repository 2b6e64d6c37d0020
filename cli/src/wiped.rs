//! Input and output that leave no unwiped copy of what passes through them (key-store text, request
//! parameters, batch lines and answers): capped file reads into buffers that are wiped on drop, and
//! stdin and stdout used through their file descriptors with our own wiped buffers instead of std's
//! (whose buffers keep the last bytes read or written).
//!
//! A buffer that must grow is never reallocated in place: a bigger one is allocated, the bytes copied,
//! and the old one wiped before it is freed.
//!
//! **A closed stdout.** Before `main`, Rust's runtime replaces a closed standard descriptor by
//! `/dev/null` (so that no file opened later takes its number); from then on a closed stdout is
//! indistinguishable from `>/dev/null`, and every answer would vanish with exit 0. On Linux a function
//! placed in `.init_array`, which runs before the runtime, records whether descriptor 1 was open; a
//! closed one makes [`stdout`] an error (exit 255). This placement is the crate's one use of an unsafe
//! attribute; the function itself is safe Rust and makes one system call (`fcntl(F_DUPFD_CLOEXEC)`).

use std::fs::File;
use std::io::{self, Read, Write};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use zeroize::{Zeroize, Zeroizing};

/// Why a capped read failed.
#[derive(Debug)]
pub enum ReadError {
    /// Reading failed.
    Io(io::Error),
    /// More than the cap.
    TooLarge,
    /// Not UTF-8 (the bytes were wiped).
    NotUtf8,
}

/// Append `bytes` to `buf`, growing it by a wiped copy when it is full.
pub fn append(buf: &mut Zeroizing<Vec<u8>>, bytes: &[u8]) {
    let needed = buf.len() + bytes.len();
    if needed > buf.capacity() {
        let mut bigger = Zeroizing::new(Vec::with_capacity(needed.max(2 * buf.capacity())));
        bigger.extend_from_slice(buf);
        *buf = bigger; // the old buffer is wiped as it drops
    }
    buf.extend_from_slice(bytes);
}

/// Read all of `reader`, at most `limit` bytes, into a buffer wiped on drop.
pub fn read_capped(
    mut reader: impl Read,
    limit: usize,
    hint: usize,
) -> Result<Zeroizing<Vec<u8>>, ReadError> {
    let mut out = Zeroizing::new(Vec::with_capacity(hint.min(limit).max(1024)));
    let mut chunk = Zeroizing::new([0u8; 8192]);
    loop {
        let n = match reader.read(&mut chunk[..]) {
            Ok(0) => return Ok(out),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(ReadError::Io(e)),
        };
        if out.len() + n > limit {
            return Err(ReadError::TooLarge);
        }
        append(&mut out, &chunk[..n]);
        chunk[..n].zeroize();
    }
}

/// Read the file at `path` as text, at most `limit` bytes, into a string wiped on drop.
pub fn read_file(path: &Path, limit: usize) -> Result<Zeroizing<String>, ReadError> {
    let file = File::open(path).map_err(ReadError::Io)?;
    let hint = file
        .metadata()
        .ok()
        .and_then(|m| usize::try_from(m.len()).ok())
        .unwrap_or(0);
    let mut bytes = read_capped(file, limit, hint.saturating_add(1))?;
    match String::from_utf8(std::mem::take(&mut *bytes)) {
        Ok(text) => Ok(Zeroizing::new(text)),
        Err(e) => {
            e.into_bytes().zeroize();
            Err(ReadError::NotUtf8)
        }
    }
}

/// Our own handle on stdin (a duplicate of its descriptor): reads go straight into our buffers.
pub fn stdin() -> io::Result<File> {
    #[cfg(unix)]
    {
        use std::os::fd::AsFd;
        Ok(File::from(io::stdin().as_fd().try_clone_to_owned()?))
    }
    #[cfg(windows)]
    {
        use std::os::windows::io::AsHandle;
        Ok(File::from(io::stdin().as_handle().try_clone_to_owned()?))
    }
}

/// Whether descriptor 1 was open when the process started (see the module docs).
static STDOUT_OPEN_AT_START: AtomicBool = AtomicBool::new(true);

#[cfg(target_os = "linux")]
#[expect(
    unsafe_code,
    reason = "`link_section` is an unsafe attribute; what it places is a safe function"
)]
#[unsafe(link_section = ".init_array")]
#[used]
static RECORD_STDOUT: extern "C" fn() = record_stdout;

/// Runs before Rust's runtime replaces a closed stdout by `/dev/null`.
#[cfg(target_os = "linux")]
extern "C" fn record_stdout() {
    use std::os::fd::AsFd;
    if io::stdout().as_fd().try_clone_to_owned().is_err() {
        STDOUT_OPEN_AT_START.store(false, Ordering::Relaxed);
    }
}

/// Our own handle on stdout. Unlike `std::io::stdout()`, which silently discards everything when
/// stdout was closed, a closed stdout is an error here.
pub fn stdout() -> io::Result<File> {
    if !STDOUT_OPEN_AT_START.load(Ordering::Relaxed) {
        return Err(io::Error::other("stdout is closed"));
    }
    #[cfg(unix)]
    {
        use std::os::fd::AsFd;
        Ok(File::from(io::stdout().as_fd().try_clone_to_owned()?))
    }
    #[cfg(windows)]
    {
        use std::os::windows::io::AsHandle;
        Ok(File::from(io::stdout().as_handle().try_clone_to_owned()?))
    }
}

/// A buffered writer whose buffer is wiped after every flush.
pub struct Output<W: Write> {
    inner: W,
    buf: Zeroizing<Vec<u8>>,
}

impl<W: Write> Output<W> {
    /// A writer with a buffer of `capacity` bytes.
    pub fn new(inner: W, capacity: usize) -> Self {
        Output {
            inner,
            buf: Zeroizing::new(Vec::with_capacity(capacity)),
        }
    }

    /// Buffer `bytes` (writing the buffer out first when they do not fit; straight through when they
    /// are larger than the buffer).
    pub fn put(&mut self, bytes: &[u8]) -> io::Result<()> {
        if self.buf.len() + bytes.len() > self.buf.capacity() {
            self.flush()?;
        }
        if bytes.len() > self.buf.capacity() {
            return self.inner.write_all(bytes);
        }
        self.buf.extend_from_slice(bytes);
        Ok(())
    }

    /// Write out what is buffered, wipe the buffer, and flush the inner writer.
    pub fn flush(&mut self) -> io::Result<()> {
        let r = self.inner.write_all(&self.buf);
        // Only the used part was ever written to; the spare capacity is still zero.
        let used = self.buf.len();
        self.buf[..used].zeroize();
        self.buf.clear();
        r?;
        self.inner.flush()
    }
}

impl<W: Write> Drop for Output<W> {
    fn drop(&mut self) {
        // Whatever was not written is wiped with the buffer (`Zeroizing`).
        self.buf.zeroize();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capped_reads() {
        let data = vec![b'x'; 10_000];
        let Ok(read) = read_capped(&data[..], 10_000, 0) else {
            unreachable!("fits")
        };
        assert_eq!(read.len(), 10_000);
        assert!(matches!(
            read_capped(&data[..], 9_999, 0),
            Err(ReadError::TooLarge)
        ));
    }

    #[test]
    fn output_buffers_and_passes_large_writes_through() {
        let mut out = Output::new(Vec::new(), 8);
        for piece in [&b"abc"[..], b"defgh", b"0123456789", b"!"] {
            assert!(out.put(piece).is_ok());
        }
        assert!(out.flush().is_ok());
        assert_eq!(out.inner, b"abcdefgh0123456789!");
    }
}
