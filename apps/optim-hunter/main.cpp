#include <cstdio>
int main() { std::puts("optim-hunter: skeleton"); return 0; }
