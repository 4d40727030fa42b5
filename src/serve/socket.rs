//! `TCP_NODELAY` on the listening socket, which accepted connections inherit
//! (Linux, the BSDs, macOS): with Nagle's algorithm on, the last small write
//! of a response can wait for the client's delayed ACK, 40 ms a request.
//!
//! std has no setter on a listener, so this calls `setsockopt` itself rather
//! than pulling in a crate for one call.

use std::net::TcpListener;

#[cfg(unix)]
pub fn tune_listener(listener: &TcpListener) {
    use std::os::fd::AsRawFd;
    use std::os::raw::{c_int, c_void};

    unsafe extern "C" {
        fn setsockopt(
            socket: c_int,
            level: c_int,
            name: c_int,
            value: *const c_void,
            len: u32,
        ) -> c_int;
    }

    const IPPROTO_TCP: c_int = 6;
    const TCP_NODELAY: c_int = 1;
    let on: c_int = 1;
    // SAFETY: a valid descriptor, a pointer to a live c_int and its size. On
    // failure the socket is simply left as it was.
    unsafe {
        setsockopt(
            listener.as_raw_fd(),
            IPPROTO_TCP,
            TCP_NODELAY,
            (&on as *const c_int).cast::<c_void>(),
            std::mem::size_of::<c_int>() as u32,
        );
    }
}

#[cfg(not(unix))]
pub fn tune_listener(_listener: &TcpListener) {}
