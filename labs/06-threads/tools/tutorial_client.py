# The tutorial's connection-loop client (链接循环 客户端), as it is, except
# that the port comes from the command line (the tutorial's 18000 if none),
# so that a test can run it against a server on any port.
# client
import socket
import sys
# 实例化对象
client = socket.socket()
# 绑定
client.connect(('127.0.0.1', int(sys.argv[1]) if len(sys.argv) > 1 else 18000))
# 发送信息给服务器
while True:
    msg = input('发送给服务器的内容:').encode('utf-8')
    if not msg:
        print('你自己终止了程序')
        break
    client.send(msg)
    # 接收字节
    msg = client.recv(1024).decode('utf-8')
    print('服务器发送回来的内容:%s' % msg)
