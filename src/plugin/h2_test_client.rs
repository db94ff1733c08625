//! A deliberately tiny HTTP/2 + gRPC client for tests: enough to send requests and see the
//! bytes that come back, without a client stack in the dependency tree. Response headers are
//! not decoded (HPACK); callers judge by the DATA received and by END_STREAM.

use std::collections::HashMap;
use std::io;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

const PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
const DATA: u8 = 0x0;
const HEADERS: u8 = 0x1;
const RST_STREAM: u8 = 0x3;
const SETTINGS: u8 = 0x4;
const PING: u8 = 0x6;
const END_STREAM: u8 = 0x1;
const ACK: u8 = 0x1;
const END_HEADERS: u8 = 0x4;

/// What one stream has received so far.
#[derive(Debug, Clone, Default)]
pub(crate) struct StreamState {
    /// Concatenated DATA payloads (gRPC frames).
    pub(crate) data: Vec<u8>,
    /// END_STREAM or RST_STREAM seen.
    pub(crate) ended: bool,
    /// RST_STREAM error code, if reset.
    pub(crate) reset: Option<u32>,
}

pub(crate) struct H2Client<IO> {
    io: IO,
    scheme: &'static str,
    next_stream: u32,
    streams: HashMap<u32, StreamState>,
    buffer: Vec<u8>,
    closed: bool,
}

impl<IO: AsyncRead + AsyncWrite + Unpin> H2Client<IO> {
    /// Sends the connection preface and empty SETTINGS (prior knowledge, no upgrade).
    pub(crate) async fn handshake(io: IO, scheme: &'static str) -> io::Result<Self> {
        let mut client = Self {
            io,
            scheme,
            next_stream: 1,
            streams: HashMap::new(),
            buffer: Vec::new(),
            closed: false,
        };
        client.io.write_all(PREFACE).await?;
        client.send_frame(SETTINGS, 0, 0, &[]).await?;
        Ok(client)
    }

    async fn send_frame(
        &mut self,
        kind: u8,
        flags: u8,
        stream: u32,
        payload: &[u8],
    ) -> io::Result<()> {
        let len = payload.len() as u32;
        let mut frame = Vec::with_capacity(9 + payload.len());
        frame.extend_from_slice(&len.to_be_bytes()[1..]);
        frame.push(kind);
        frame.push(flags);
        frame.extend_from_slice(&stream.to_be_bytes());
        frame.extend_from_slice(payload);
        self.io.write_all(&frame).await?;
        self.io.flush().await
    }

    /// Starts a gRPC call on a new stream and sends `message` as its one request message.
    pub(crate) async fn open(
        &mut self,
        path: &str,
        message: &[u8],
        end_stream: bool,
    ) -> io::Result<u32> {
        let id = self.next_stream;
        self.next_stream += 2;
        let mut block = vec![0x83, if self.scheme == "https" { 0x87 } else { 0x86 }];
        // Literal header field without indexing, name from the static table.
        block.push(0x04); // :path
        hpack_string(&mut block, path.as_bytes());
        block.push(0x01); // :authority
        hpack_string(&mut block, b"localhost");
        hpack_int(&mut block, 0x00, 4, 31); // content-type
        hpack_string(&mut block, b"application/grpc");
        block.push(0x00); // new name
        hpack_string(&mut block, b"te");
        hpack_string(&mut block, b"trailers");
        self.send_frame(HEADERS, END_HEADERS, id, &block).await?;
        let mut grpc = vec![0u8];
        grpc.extend_from_slice(&(message.len() as u32).to_be_bytes());
        grpc.extend_from_slice(message);
        let flags = if end_stream { END_STREAM } else { 0 };
        self.send_frame(DATA, flags, id, &grpc).await?;
        self.streams.insert(id, StreamState::default());
        Ok(id)
    }

    /// One request message, then everything until the stream ends.
    pub(crate) async fn unary(&mut self, path: &str, message: &[u8]) -> io::Result<StreamState> {
        let id = self.open(path, message, true).await?;
        let state = self.poll_for(Duration::from_secs(5), id).await?;
        if !state.ended {
            return Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "no complete answer",
            ));
        }
        if let Some(code) = state.reset {
            return Err(io::Error::other(format!("stream reset with code {code}")));
        }
        Ok(state)
    }

    /// Reads frames for up to `wait`, returning early once stream `id` has ended.
    pub(crate) async fn poll_for(&mut self, wait: Duration, id: u32) -> io::Result<StreamState> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            while let Some((kind, flags, stream, payload)) = self.take_frame() {
                self.handle(kind, flags, stream, payload).await?;
            }
            let state = self.streams.get(&id).cloned().unwrap_or_default();
            if state.ended {
                return Ok(state);
            }
            if self.closed {
                return if self.buffer.is_empty() {
                    Ok(state)
                } else {
                    Err(io::ErrorKind::UnexpectedEof.into())
                };
            }
            let mut chunk = [0u8; 16 * 1024];
            // `read` is cancellation safe, so a timeout never loses bytes.
            match tokio::time::timeout_at(deadline, self.io.read(&mut chunk)).await {
                Err(_) => return Ok(state),
                Ok(Ok(0)) => {
                    self.closed = true;
                    if !self.streams.get(&id).is_some_and(|s| s.ended) && self.buffer.is_empty() {
                        return Err(io::ErrorKind::UnexpectedEof.into());
                    }
                }
                Ok(Ok(n)) => self.buffer.extend_from_slice(&chunk[..n]),
                Ok(Err(e)) => return Err(e),
            }
        }
    }

    fn take_frame(&mut self) -> Option<(u8, u8, u32, Vec<u8>)> {
        if self.buffer.len() < 9 {
            return None;
        }
        let len = u32::from_be_bytes([0, self.buffer[0], self.buffer[1], self.buffer[2]]) as usize;
        if self.buffer.len() < 9 + len {
            return None;
        }
        let kind = self.buffer[3];
        let flags = self.buffer[4];
        let stream = u32::from_be_bytes(self.buffer[5..9].try_into().unwrap()) & 0x7fff_ffff;
        let payload = self.buffer[9..9 + len].to_vec();
        self.buffer.drain(..9 + len);
        Some((kind, flags, stream, payload))
    }

    async fn handle(
        &mut self,
        kind: u8,
        flags: u8,
        stream: u32,
        payload: Vec<u8>,
    ) -> io::Result<()> {
        match kind {
            SETTINGS if flags & ACK == 0 => self.send_frame(SETTINGS, ACK, 0, &[]).await?,
            PING if flags & ACK == 0 => self.send_frame(PING, ACK, 0, &payload).await?,
            DATA => {
                let state = self.streams.entry(stream).or_default();
                state.data.extend_from_slice(&payload);
                state.ended |= flags & END_STREAM != 0;
            }
            HEADERS => {
                self.streams.entry(stream).or_default().ended |= flags & END_STREAM != 0;
            }
            RST_STREAM => {
                let state = self.streams.entry(stream).or_default();
                state.ended = true;
                state.reset = payload
                    .get(..4)
                    .map(|b| u32::from_be_bytes(b.try_into().unwrap()));
            }
            _ => {}
        }
        Ok(())
    }
}

/// HPACK integer with an `prefix`-bit prefix; `high` holds the bits above the prefix.
fn hpack_int(out: &mut Vec<u8>, high: u8, prefix: u8, mut value: usize) {
    let max = (1usize << prefix) - 1;
    if value < max {
        out.push(high | value as u8);
        return;
    }
    out.push(high | max as u8);
    value -= max;
    while value >= 128 {
        out.push((value % 128) as u8 | 0x80);
        value /= 128;
    }
    out.push(value as u8);
}

/// HPACK string literal, not Huffman-coded.
fn hpack_string(out: &mut Vec<u8>, s: &[u8]) {
    hpack_int(out, 0x00, 7, s.len());
    out.extend_from_slice(s);
}

#[test]
fn hpack_integers_follow_rfc7541_examples() {
    let mut out = Vec::new();
    hpack_int(&mut out, 0, 5, 10);
    assert_eq!(out, [0x0a]);
    out.clear();
    hpack_int(&mut out, 0, 5, 1337);
    assert_eq!(out, [0x1f, 0x9a, 0x0a]);
}
