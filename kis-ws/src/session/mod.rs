//! The realtime session: the public handle and its streams, the connection task, options and
//! approval-key sources.

mod approval;
mod engine;
mod options;
mod registry;
mod stream;

use std::marker::PhantomData;
use std::sync::atomic::{AtomicBool, AtomicU64};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

use crate::error::Error;
use crate::event::RawRecord;
use crate::fanout::Shared;
use crate::queue::{Filter, Queue};
use crate::record::Record;

pub use approval::{ApprovalKeySource, StaticApprovalKey};
use engine::{Engine, open};
pub use options::{
    DEFAULT_MAX_MESSAGE_SIZE, DEFAULT_MAX_SUBSCRIPTIONS, Options, PAPER_WS_URL, REAL_WS_URL,
};
pub use stream::{EventStream, RecordStream};

pub(crate) enum Command {
    Subscribe {
        tr_id: String,
        tr_key: String,
        reply: oneshot::Sender<Result<(), Error>>,
    },
    Unsubscribe {
        tr_id: String,
        tr_key: String,
        reply: oneshot::Sender<Result<(), Error>>,
    },
    List {
        reply: oneshot::Sender<Vec<(String, String)>>,
    },
    Close {
        reply: oneshot::Sender<()>,
    },
}

/// A realtime session: one websocket to KIS, its subscriptions, and the streams of what
/// arrives. Reconnects and resubscribes by itself until [`Session::close`] or drop.
pub struct Session {
    cmds: mpsc::Sender<Command>,
    shared: Arc<Shared>,
    task: Option<JoinHandle<()>>,
    ack_timeout: Duration,
    close_timeout: Duration,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session").finish_non_exhaustive()
    }
}

impl Session {
    /// Opens a session with the REST client's configuration: its env, websocket URL (unless
    /// `options.url` is set) and `custtype`, and approval keys issued by the client.
    ///
    /// ```no_run
    /// # async fn demo(client: kis_client::Client) -> Result<(), kis_ws::Error> {
    /// use futures::StreamExt;
    /// let session = kis_ws::Session::connect(&client, kis_ws::Options::default()).await?;
    /// let mut events = session.events();
    /// session.subscribe("H0STCNT0", "005930").await?;
    /// while let Some(event) = events.next().await {
    ///     if let kis_ws::Event::Data { record, .. } = event {
    ///         println!("{record:?}");
    ///     }
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn connect(
        client: &kis_client::Client,
        mut options: Options,
    ) -> Result<Session, Error> {
        let config = client.config();
        options.env = config.env();
        if options.url.is_none() {
            options.url = Some(config.ws_url().to_owned());
        }
        config.custtype().clone_into(&mut options.custtype);
        Session::connect_with(client.clone(), options).await
    }

    /// Fetches an approval key from `source`, opens the websocket and starts the session.
    pub async fn connect_with(
        source: impl ApprovalKeySource,
        options: Options,
    ) -> Result<Session, Error> {
        let source: Arc<dyn ApprovalKeySource> = Arc::new(source);
        let approval_key = source.approval_key(false).await?;
        let url = options.endpoint();
        let (ws, server_offset) =
            open(&url, options.connect_timeout, options.max_message_size).await?;
        let server_offset = server_offset.or_else(|| source.server_offset());
        let shared = Arc::new(Shared {
            closed: AtomicBool::new(false),
            sinks: Mutex::new(Vec::new()),
            version: AtomicU64::new(0),
            primary: Mutex::new(None),
            data_buffer: options.data_buffer,
            notice_buffer: options.notice_buffer,
            buffer_bytes: options.buffer_bytes,
            notices: Default::default(),
        });
        let primary = Arc::new(
            Queue::unclaimed(Filter::All, options.data_buffer, options.notice_buffer)
                .with_byte_capacity(options.buffer_bytes),
        );
        shared
            .sinks
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(primary.clone());
        *shared.primary.lock().unwrap_or_else(|e| e.into_inner()) = Some(primary);
        let (tx, rx) = mpsc::channel(64);
        let ack_timeout = options.ack_timeout;
        let close_timeout = options.close_timeout;
        let engine = Engine::new(
            url,
            options,
            source,
            approval_key,
            server_offset,
            rx,
            shared.clone(),
        );
        let task = tokio::spawn(engine.run(ws));
        Ok(Session {
            cmds: tx,
            shared,
            task: Some(task),
            ack_timeout,
            close_timeout,
        })
    }

    /// Subscribes to `tr_id` for `tr_key` (a stock code, or the HTS ID for execution notices)
    /// and waits for KIS's ack.
    ///
    /// Subscribing twice to the same pair is one registration. Fails before sending anything
    /// for an unknown TR, a TR the service lacks (per the spec's real/paper TR IDs), or when
    /// the cap is reached; fails with
    /// KIS's refusal otherwise ([`Error::MaxSubscribeOver`], [`Error::Refused`], ...). On
    /// [`Error::Timeout`] the subscription stays registered (it is sent again on reconnect);
    /// call [`Session::unsubscribe`] to drop it.
    pub async fn subscribe(&self, tr_id: &str, tr_key: &str) -> Result<(), Error> {
        let (reply, rx) = oneshot::channel();
        self.request(
            Command::Subscribe {
                tr_id: tr_id.to_owned(),
                tr_key: tr_key.to_owned(),
                reply,
            },
            rx,
        )
        .await
    }

    /// Unsubscribes and waits for KIS's ack.
    pub async fn unsubscribe(&self, tr_id: &str, tr_key: &str) -> Result<(), Error> {
        let (reply, rx) = oneshot::channel();
        self.request(
            Command::Unsubscribe {
                tr_id: tr_id.to_owned(),
                tr_key: tr_key.to_owned(),
                reply,
            },
            rx,
        )
        .await
    }

    async fn request(
        &self,
        cmd: Command,
        rx: oneshot::Receiver<Result<(), Error>>,
    ) -> Result<(), Error> {
        self.cmds.send(cmd).await.map_err(|_| Error::Closed)?;
        match tokio::time::timeout(self.ack_timeout, rx).await {
            Ok(Ok(result)) => result,
            Ok(Err(_)) => Err(Error::Closed),
            Err(_) => Err(Error::Timeout),
        }
    }

    /// The registered subscriptions (`(tr_id, tr_key)`, confirmed or pending), sorted.
    pub async fn subscriptions(&self) -> Result<Vec<(String, String)>, Error> {
        let (reply, rx) = oneshot::channel();
        self.cmds
            .send(Command::List { reply })
            .await
            .map_err(|_| Error::Closed)?;
        rx.await.map_err(|_| Error::Closed)
    }

    fn queue(&self, filter: Filter) -> Arc<Queue> {
        if matches!(filter, Filter::All) {
            if let Some(q) = self
                .shared
                .primary
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .take()
            {
                q.claim();
                return q;
            }
        }
        self.shared.add(filter)
    }

    /// All events with records as [`RawRecord`] (not decoded). The first call (of this or
    /// [`Session::events`]) sees everything since connect (until then the session buffers up to
    /// the queue sizes, evicting the oldest market data and state events and reporting them as
    /// [`crate::Event::Lagged`], so an unread buffer never stalls the session; notices are
    /// never evicted: a buffer full of them ends that first stream with
    /// [`crate::Event::Overflowed`]); later calls start from now. Each stream has its own
    /// bounded queue.
    pub fn raw_events(&self) -> EventStream<RawRecord> {
        EventStream {
            queue: self.queue(Filter::All),
            map: |_, raw| Ok(raw),
        }
    }

    /// All events with records decoded into the generated [`crate::api::AnyRecord`].
    pub fn events(&self) -> EventStream<crate::api_glue::AnyRecord> {
        EventStream {
            queue: self.queue(Filter::All),
            map: crate::api_glue::decode_any,
        }
    }

    /// Only the records of TR type `T` (all of `T::TR_IDS`), typed. Market data dropped for a
    /// slow consumer is counted in [`RecordStream::dropped`]; state events are not included
    /// (use [`Session::events`] for those). The stream never ends silently while the session
    /// lives: it ends with [`Error::Overflowed`] when its consumer falls behind on notices,
    /// and a stream of execution notices (`T::ENCRYPTED`) ends with [`Error::NoticeGap`]
    /// when notices may be missing ([`Session::notices`] reads through gaps).
    pub fn records<T: Record>(&self) -> RecordStream<T> {
        let filter = if T::ENCRYPTED {
            Filter::NoticeData(T::TR_IDS)
        } else {
            Filter::Data(T::TR_IDS)
        };
        RecordStream {
            queue: self.shared.add(filter),
            dropped: 0,
            ended: false,
            _t: PhantomData,
        }
    }

    /// The execution notices of TR type `T` (e.g. `H0stcni0` for `H0STCNI0`/`H0STCNI9`),
    /// typed, with everything that tells of missing ones, in order: [`crate::Event::Disconnected`],
    /// [`crate::Event::Reconnected`], [`crate::Event::NoticeGap`] and the gap's
    /// [`crate::Event::Recovered`] fills (or [`crate::Event::RecoveryFailed`]), and the
    /// subscription events of `T`'s TRs. Like every stream it ends with
    /// [`crate::Event::Overflowed`] if its consumer stops reading, never silently.
    ///
    /// ```no_run
    /// # async fn demo(session: kis_ws::Session) -> Result<(), kis_ws::Error> {
    /// use futures::StreamExt as _;
    /// use kis_ws::api::realtime_domestic_stock::h0stcni0::H0stcni0;
    /// let mut fills = session.notices::<H0stcni0>();
    /// session.subscribe("H0STCNI0", "my-hts-id").await?;
    /// while let Some(event) = fills.next().await {
    ///     match event {
    ///         kis_ws::Event::Data { record, .. } => println!("{:?}", record.oder_no),
    ///         kis_ws::Event::Recovered(fill) => println!("missed: {:?}", fill.missing),
    ///         kis_ws::Event::NoticeGap(gap) => println!("may be missing from {:?}", gap.from),
    ///         kis_ws::Event::Overflowed { .. } => break,
    ///         _ => {}
    ///     }
    /// }
    /// # Ok(()) }
    /// ```
    pub fn notices<T: Record>(&self) -> EventStream<T> {
        EventStream {
            queue: self.shared.add(Filter::Notices(T::TR_IDS)),
            map: stream::decode_as::<T>,
        }
    }

    /// Unsubscribes everything, closes the websocket and ends all streams (after they deliver
    /// what they hold).
    pub async fn close(mut self) {
        let limit = self.close_timeout + Duration::from_secs(1);
        let task = self.task.take();
        let cmds = self.cmds.clone();
        let graceful = async {
            let (reply, rx) = oneshot::channel();
            if cmds.send(Command::Close { reply }).await.is_ok() {
                let _ = rx.await;
            }
        };
        if tokio::time::timeout(limit, graceful).await.is_err() {
            tracing::warn!(
                ?limit,
                "realtime session did not close in time; aborting it"
            );
        }
        if let Some(task) = task {
            let abort = task.abort_handle();
            if tokio::time::timeout(Duration::from_millis(100), task)
                .await
                .is_err()
            {
                abort.abort();
            }
        }
        // A task that had to be aborted may not have reported the closing notice gap.
        self.shared.report_closing_gap();
        // Streams end even when the task had to be aborted.
        self.shared.close_all();
    }
}
