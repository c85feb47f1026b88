package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
)

// The go-plugin handshake Terraform performs with every provider it starts.
const (
	magicCookieKey   = "TF_PLUGIN_MAGIC_COOKIE"
	magicCookieValue = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2"

	methodGetProviderSchema = "/tfplugin6.Provider/GetProviderSchema"
	methodShutdown          = "/plugin.GRPCController/Shutdown"
)

// schemaSample is one start of the provider, timed from exec.
type schemaSample struct {
	Handshake   time.Duration // exec until the handshake line on stdout
	Schema      time.Duration // exec until the GetProviderSchema answer
	PeakRSS     int64         // bytes: VmHWM once the schema was served
	SchemaBytes int           // size of the encoded answer, to show it was real
}

// clientTLS is the certificate Terraform would pass in PLUGIN_CLIENT_CERT
// for auto-mTLS; it is made once, outside the timing, as Terraform does.
type clientTLS struct {
	certPEM []byte
	cert    tls.Certificate
}

// newClientTLS makes a throwaway self-signed client certificate in the
// shape go-plugin's client makes one (ECDSA P-521, CN localhost).
func newClientTLS() (*clientTLS, error) {
	key, err := ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(time.Now().UnixNano()),
		Subject:               pkix.Name{CommonName: "localhost", Organization: []string{"fgsbench"}},
		DNSNames:              []string{"localhost"},
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth, x509.ExtKeyUsageServerAuth},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment | x509.KeyUsageCertSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		NotBefore:             time.Now().Add(-time.Minute),
		NotAfter:              time.Now().Add(time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return nil, err
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return nil, err
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	cert, err := tls.X509KeyPair(certPEM, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}))
	if err != nil {
		return nil, err
	}
	return &clientTLS{certPEM: certPEM, cert: cert}, nil
}

// handshake is the line a go-plugin server prints on stdout:
// CORE-VERSION|APP-VERSION|NETWORK|ADDRESS|PROTOCOL[|SERVER-CERT].
type handshake struct {
	appVersion string
	network    string
	address    string
	serverCert []byte // DER, when auto-mTLS is on
}

func parseHandshake(line string) (handshake, error) {
	parts := strings.Split(strings.TrimSpace(line), "|")
	if len(parts) < 5 {
		return handshake{}, fmt.Errorf("not a plugin handshake: %q", line)
	}
	if parts[0] != "1" {
		return handshake{}, fmt.Errorf("plugin core protocol %q, want 1", parts[0])
	}
	if parts[4] != "grpc" {
		return handshake{}, fmt.Errorf("plugin protocol %q, want grpc", parts[4])
	}
	h := handshake{appVersion: parts[1], network: parts[2], address: parts[3]}
	if len(parts) > 5 && parts[5] != "" {
		der, err := base64.RawStdEncoding.DecodeString(parts[5])
		if err != nil {
			return handshake{}, fmt.Errorf("server certificate in handshake: %w", err)
		}
		h.serverCert = der
	}
	return h, nil
}

// rawCodec passes protobuf bytes through untouched, so the probe needs no
// generated code: GetProviderSchema's request is the empty message.
type rawCodec struct{}

func (rawCodec) Marshal(v any) ([]byte, error) {
	b, ok := v.(*[]byte)
	if !ok {
		return nil, fmt.Errorf("rawCodec: cannot marshal %T", v)
	}
	return *b, nil
}

func (rawCodec) Unmarshal(data []byte, v any) error {
	b, ok := v.(*[]byte)
	if !ok {
		return fmt.Errorf("rawCodec: cannot unmarshal into %T", v)
	}
	*b = append((*b)[:0], data...)
	return nil
}

func (rawCodec) Name() string { return "proto" }

// measureSchema starts the provider schemaRuns times in each mode,
// alternating the modes so drift in the machine's load hits both alike.
func measureSchema(ctx context.Context, o options, provider, tmp string, rep *Report) error {
	tlsCert, err := newClientTLS()
	if err != nil {
		return err
	}
	sockets := filepath.Join(tmp, "sockets")
	if err := os.MkdirAll(sockets, 0o700); err != nil {
		return err
	}
	// One unmeasured start of each kind brings the binary into the page cache.
	for _, c := range []*clientTLS{nil, tlsCert} {
		if _, err := probeSchema(ctx, provider, sockets, c); err != nil {
			return fmt.Errorf("starting the provider: %w", err)
		}
	}
	var plain, mtls, handshake, rss []float64
	for range o.schemaRuns {
		s, err := probeSchema(ctx, provider, sockets, nil)
		if err != nil {
			return err
		}
		plain = append(plain, milliseconds(s.Schema))
		handshake = append(handshake, milliseconds(s.Handshake))
		rss = append(rss, megabytes(s.PeakRSS))
		rep.Provider.SchemaBytes = s.SchemaBytes
		s, err = probeSchema(ctx, provider, sockets, tlsCert)
		if err != nil {
			return err
		}
		mtls = append(mtls, milliseconds(s.Schema))
	}
	rep.Provider.HandshakeMS = summarize(handshake)
	rep.Provider.StartToSchemaMS = summarize(plain)
	rep.Provider.StartToSchemaMTLSMS = summarize(mtls)
	rep.Provider.PeakRSSMB = summarize(rss)
	return nil
}

// probeSchema starts the provider binary as Terraform does, asks for its
// schema over gRPC and shuts it down. With tlsCert set it uses auto-mTLS,
// as Terraform does; without, plain gRPC on the unix socket.
func probeSchema(ctx context.Context, binary, socketDir string, tlsCert *clientTLS) (schemaSample, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	cmd, stdout, stderr, err := pluginCommand(ctx, binary, socketDir, tlsCert)
	if err != nil {
		return schemaSample{}, err
	}

	start := time.Now()
	if err := cmd.Start(); err != nil {
		return schemaSample{}, err
	}
	defer func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	}()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		return schemaSample{}, fmt.Errorf("reading the handshake: %w (stderr: %s)", err, lastLine(stderr.String()))
	}
	var s schemaSample
	s.Handshake = time.Since(start)
	h, err := parseHandshake(line)
	if err != nil {
		return schemaSample{}, err
	}
	if h.appVersion != "6" || h.network != "unix" {
		return schemaSample{}, fmt.Errorf("handshake %q: want protocol 6 on a unix socket", strings.TrimSpace(line))
	}
	creds, err := pluginCredentials(h, tlsCert)
	if err != nil {
		return schemaSample{}, err
	}
	if err := askSchema(ctx, h.address, creds, cmd.Process.Pid, start, &s); err != nil {
		return schemaSample{}, err
	}
	return s, nil
}

// pluginCommand is the provider's command with the environment Terraform
// gives a plugin, and its stdout (the handshake) and stderr.
func pluginCommand(ctx context.Context, binary, socketDir string, tlsCert *clientTLS) (*exec.Cmd, io.Reader, *bytes.Buffer, error) {
	cmd := exec.CommandContext(ctx, binary)
	cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"),
		magicCookieKey + "=" + magicCookieValue,
		"PLUGIN_PROTOCOL_VERSIONS=6",
		"PLUGIN_UNIX_SOCKET_DIR=" + socketDir,
	}
	if tlsCert != nil {
		cmd.Env = append(cmd.Env, "PLUGIN_CLIENT_CERT="+string(tlsCert.certPEM))
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, nil, nil, err
	}
	return cmd, stdout, &stderr, nil
}

// pluginCredentials are plain gRPC, or with tlsCert the auto-mTLS
// Terraform speaks: our certificate, and trust in the one the handshake carried.
func pluginCredentials(h handshake, tlsCert *clientTLS) (credentials.TransportCredentials, error) {
	if tlsCert == nil {
		return insecure.NewCredentials(), nil
	}
	if h.serverCert == nil {
		return nil, errors.New("auto-mTLS was asked for but the handshake carries no server certificate")
	}
	serverCert, err := x509.ParseCertificate(h.serverCert)
	if err != nil {
		return nil, fmt.Errorf("server certificate: %w", err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(serverCert)
	return credentials.NewTLS(&tls.Config{
		Certificates: []tls.Certificate{tlsCert.cert},
		RootCAs:      pool,
		ServerName:   "localhost",
		MinVersion:   tls.VersionTLS12,
	}), nil
}

// askSchema asks the plugin at address for its schema, recording in s the
// time from start and the process's peak memory, then shuts it down.
func askSchema(ctx context.Context, address string, creds credentials.TransportCredentials, pid int, start time.Time, s *schemaSample) error {
	conn, err := grpc.NewClient("unix://"+address, grpc.WithTransportCredentials(creds))
	if err != nil {
		return err
	}
	defer func() { _ = conn.Close() }()

	empty, schema := []byte{}, []byte{}
	if err := conn.Invoke(ctx, methodGetProviderSchema, &empty, &schema, grpc.ForceCodec(rawCodec{})); err != nil {
		return fmt.Errorf("GetProviderSchema: %w", err)
	}
	s.Schema = time.Since(start)
	s.SchemaBytes = len(schema)
	if len(schema) == 0 {
		return errors.New("GetProviderSchema answered with an empty schema")
	}
	proc, err := readProcStatus(pid)
	if err != nil {
		return err
	}
	s.PeakRSS = proc.peakRSS
	// Stop it as Terraform does; the deferred Kill covers a plugin that will not.
	_ = conn.Invoke(ctx, methodShutdown, &empty, &schema, grpc.ForceCodec(rawCodec{}))
	return nil
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		s = s[i+1:]
	}
	return s
}
