// SPDX-License-Identifier: MIT
pragma solidity ^0.8.17;

// Model of Polygon's POL token (0xPolygon/pol-token PolygonEcosystemToken,
// an OpenZeppelin 5 ERC20 with ERC20Permit) for the stakewallet devnet: the
// ERC-20 functions, events and OpenZeppelin 5 custom errors of the real
// token, and its mint(address,uint256) restricted to the emission manager
// (here the deployer). Permit is left out: the wallet approves.
contract PolygonEcosystemToken {
    error ERC20InsufficientBalance(address sender, uint256 balance, uint256 needed);
    error ERC20InvalidSender(address sender);
    error ERC20InvalidReceiver(address receiver);
    error ERC20InsufficientAllowance(address spender, uint256 allowance, uint256 needed);
    error ERC20InvalidApprover(address approver);
    error ERC20InvalidSpender(address spender);
    error AccessControlUnauthorizedAccount(address account, bytes32 neededRole);

    event Transfer(address indexed from, address indexed to, uint256 value);
    event Approval(address indexed owner, address indexed spender, uint256 value);

    bytes32 public constant EMISSION_ROLE = keccak256("EMISSION_ROLE");

    address private immutable emissionManager;
    uint256 private _totalSupply;
    mapping(address => uint256) private _balances;
    mapping(address => mapping(address => uint256)) private _allowances;

    constructor(address _emissionManager) {
        emissionManager = _emissionManager;
    }

    function name() external pure returns (string memory) { return "Polygon Ecosystem Token"; }
    function symbol() external pure returns (string memory) { return "POL"; }
    function decimals() external pure returns (uint8) { return 18; }
    function version() external pure returns (string memory) { return "1.1.0"; }
    function totalSupply() external view returns (uint256) { return _totalSupply; }
    function balanceOf(address account) external view returns (uint256) { return _balances[account]; }
    function allowance(address owner, address spender) external view returns (uint256) { return _allowances[owner][spender]; }

    function mint(address to, uint256 amount) external {
        if (msg.sender != emissionManager) revert AccessControlUnauthorizedAccount(msg.sender, EMISSION_ROLE);
        if (to == address(0)) revert ERC20InvalidReceiver(address(0));
        _totalSupply += amount;
        _balances[to] += amount;
        emit Transfer(address(0), to, amount);
    }

    function approve(address spender, uint256 value) external returns (bool) {
        if (spender == address(0)) revert ERC20InvalidSpender(address(0));
        _allowances[msg.sender][spender] = value;
        emit Approval(msg.sender, spender, value);
        return true;
    }

    function transfer(address to, uint256 value) external returns (bool) {
        _transfer(msg.sender, to, value);
        return true;
    }

    function transferFrom(address from, address to, uint256 value) external returns (bool) {
        uint256 current = _allowances[from][msg.sender];
        if (current != type(uint256).max) {
            if (current < value) revert ERC20InsufficientAllowance(msg.sender, current, value);
            _allowances[from][msg.sender] = current - value;
        }
        _transfer(from, to, value);
        return true;
    }

    function _transfer(address from, address to, uint256 value) private {
        if (from == address(0)) revert ERC20InvalidSender(address(0));
        if (to == address(0)) revert ERC20InvalidReceiver(address(0));
        uint256 bal = _balances[from];
        if (bal < value) revert ERC20InsufficientBalance(from, bal, value);
        _balances[from] = bal - value;
        _balances[to] += value;
        emit Transfer(from, to, value);
    }
}
